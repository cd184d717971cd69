"""The sealed copy of a signalement à l'État: built from the sender's records, field by field.

Only the fields the sender chose are read into the copy; labels (indicators, statuses, measure
kinds) are copied as text, so that the copy reads the same when the source or the reference lists
change later. ``rows`` turns a copy into what the page shows, in the order of the form.
"""

from dataclasses import dataclass
from datetime import date

from cellule.exchanges.enums import TransmittedField as F
from cellule.people.identity import Identity

VERSION = 1
REPORT_FIELDS = {F.INDICATORS, F.REPORT_TEXT}


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def build(situation, fields, *, signalement=None) -> dict:
    """The copy of ``situation`` (and of ``signalement`` alone, when given) limited to ``fields``.

    Decrypts with the person's key: call it inside the service, after the permission check.
    """
    fields = set(fields)
    person = situation.person
    identity = person.identity
    copy: dict = {"version": VERSION, "fields": sorted(fields)}
    who: dict = {}
    if F.LAST_NAME in fields:
        who["last_name"] = identity.last_name
    if F.FIRST_NAME in fields:
        who["first_name"] = identity.first_name
    if F.BIRTH in fields:
        who["birth_date"] = _iso(identity.birth_date)
        who["approximate_age"] = identity.approximate_age
        who["age_stated_on"] = _iso(person.age_stated_on)
        who["is_minor"] = person.is_minor_today
    if F.COMMUNE in fields and person.commune_id:
        who["commune"] = {"code": person.commune_id, "name": person.commune.name}
    if F.ADDRESS in fields:
        who["address"] = identity.address
    if F.PHONE in fields:
        who["phone"] = identity.phone
    if F.REPRESENTATIVES in fields:
        who["representatives"] = [
            {
                "relationship": r.get_relationship_display(),
                "last_name": values.last_name,
                "first_name": values.first_name,
                "phone": values.phone,
            }
            for r in person.legal_representatives.all()
            for values in (r.identity,)
        ]
    if who:
        copy["person"] = who
    if fields & REPORT_FIELDS:
        reports = (
            [signalement]
            if signalement is not None
            else list(situation.origin_reports.order_by("created_at"))
        )
        copy["reports"] = [_report(report, fields) for report in reports]
    if F.SITUATION in fields:
        copy["situation"] = {
            "reference": situation.reference,
            "status": situation.get_status_display(),
            "opened_on": _iso(situation.opened_at.date()),
        }
    if F.MEASURES in fields:
        copy["measures"] = [
            {
                "kind": m.get_kind_display(),
                "status": m.get_status_display(),
                "proposed_on": _iso(m.proposed_on),
            }
            for m in situation.measures.all()
        ]
    return copy


def _report(report, fields) -> dict:
    entry = {
        "reference": report.reference,
        "received_on": _iso(report.created_at.date()),
        "observed_on": _iso(report.observed_on),
        "source": report.get_source_category_display(),
    }
    if F.INDICATORS in fields:
        entry["indicators"] = [
            {
                "label": item.indicator.label,
                "strength": item.indicator.get_strength_display(),
                "observed_on": _iso(item.observed_on),
            }
            for item in report.indicators.select_related("indicator")
        ]
    if F.REPORT_TEXT in fields:
        entry["text"] = report.text
    return entry


# --- Reading a copy -----------------------------------------------------------------------------


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass
class Row:
    label: str
    value: str


def person_rows(copy: dict) -> list[Row]:
    who = copy.get("person", {})
    rows = []
    if "last_name" in who or "first_name" in who:
        name = " ".join(v for v in (who.get("last_name"), who.get("first_name")) if v)
        rows.append(Row("Nom et prénom", name or "—"))
    if "birth_date" in who or "approximate_age" in who:
        if who.get("birth_date"):
            birth = f"{_date(who['birth_date']):%d/%m/%Y}"
        elif who.get("approximate_age") is not None:
            birth = f"environ {who['approximate_age']} ans"
            if who.get("age_stated_on"):
                birth += f" (âge indiqué le {_date(who['age_stated_on']):%d/%m/%Y})"
        else:
            birth = "non renseignée"
        if who.get("is_minor"):
            birth += " — mineur"
        rows.append(Row("Naissance", birth))
    if "commune" in who:
        rows.append(Row("Commune de résidence", who["commune"]["name"]))
    if "address" in who:
        rows.append(Row("Adresse", who["address"] or "non renseignée"))
    if "phone" in who:
        rows.append(Row("Téléphone", who["phone"] or "non renseigné"))
    for r in who.get("representatives", []):
        contact = f" — {r['phone']}" if r.get("phone") else ""
        rows.append(
            Row(
                f"Représentant légal ({r['relationship']})",
                f"{r['last_name']} {r['first_name']}{contact}",
            )
        )
    if "representatives" in who and not who["representatives"]:
        rows.append(Row("Représentants légaux", "aucun enregistré"))
    return rows


def reports(copy: dict) -> list[dict]:
    """The copied reports, dates as dates, for the template."""
    result = []
    for report in copy.get("reports", []):
        result.append(
            {
                **report,
                "received_on": _date(report.get("received_on")),
                "observed_on": _date(report.get("observed_on")),
                "indicators": [
                    {**item, "observed_on": _date(item.get("observed_on"))}
                    for item in report.get("indicators", [])
                ],
            }
        )
    return result


def situation_of(copy: dict) -> dict | None:
    situation = copy.get("situation")
    if situation is None:
        return None
    return {**situation, "opened_on": _date(situation.get("opened_on"))}


def identity_of(copy: dict) -> Identity | None:
    """The copied identity, for the receiving cell's search of persons it may already know;
    None when the sender did not transmit both names."""
    who = copy.get("person", {})
    if not who.get("last_name") or not who.get("first_name"):
        return None
    return Identity(
        last_name=who["last_name"],
        first_name=who["first_name"],
        birth_date=_date(who.get("birth_date")),
        approximate_age=who.get("approximate_age"),
        age_stated_on=_date(who.get("age_stated_on")),
    )
