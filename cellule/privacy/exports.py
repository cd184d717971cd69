"""The access export (art. 15 RGPD): everything the cell holds about one person, in French.

Removed before anyone reads it: the identity of the agents who reported (their protection is
what makes a report possible), the names of the cell's staff (their organisation stays), and
the State's information (a closure « prise en charge par l'État », the préfecture's
transmissions and feedback): limits that come from the State's side (art. 23 RGPD) are not the
commune's to lift. What was removed is listed in the export itself. A second person reviews it
before it is released (``services.review_export``).

Apps above cases add their records with ``register_source(function)``: ``function(person,
situations) -> (title, list of dicts)``, already stripped of what must not go out.
"""

from __future__ import annotations

from django.utils import timezone

from cellule.cases.enums import ClosureReason, SituationStatus
from cellule.people.enums import Relationship

_SOURCES: list = []

REDACTIONS = [
    "L'identité des agents qui ont signalé la situation (protection des signalants).",
    "Le nom des agents de la cellule, remplacé par leur organisme.",
    "Les informations provenant de l'État (préfecture, services de l'État) : elles relèvent de "
    "l'État et ne sont pas communiquées par la commune (art. 23 RGPD).",
]


def register_source(function):
    if function not in _SOURCES:
        _SOURCES.append(function)
    return function


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _organisation(user) -> str:
    if user is None:
        return ""
    return user.organisation.name if user.organisation_id else "Agent de la cellule"


def _identity(person) -> dict:
    identity = person.identity
    return {
        "Nom": identity.last_name,
        "Prénom": identity.first_name,
        "Date de naissance": _day(identity.birth_date),
        "Âge indiqué": (
            f"{identity.approximate_age} ans (indiqué le {_day(person.age_stated_on)})"
            if identity.approximate_age is not None
            else ""
        ),
        "Adresse": identity.address,
        "Téléphone": identity.phone,
        "Commune de résidence": person.commune.name if person.commune_id else "",
        "Enregistrée le": _day(person.created_at),
    }


def _representatives(person) -> list[dict]:
    rows = []
    for representative in person.legal_representatives.all():
        identity = representative.identity
        rows.append(
            {
                "Lien": Relationship(identity.relationship).label,
                "Nom": identity.last_name,
                "Prénom": identity.first_name,
                "Téléphone": identity.phone,
                "Adresse": identity.address,
            }
        )
    return rows


def _signalements(person, cipher) -> list[dict]:
    rows = []
    reports = person.signalements.prefetch_related("indicators__indicator").order_by("created_at")
    for report in reports:
        values = report.unseal(cipher)
        rows.append(
            {
                "Référence": f"Signalement n° {report.reference}",
                "Reçu le": _day(report.created_at),
                "Faits observés le": _day(report.observed_on),
                "Origine": report.get_source_category_display(),
                "Indicateurs observés": [
                    f"{item.indicator.label} (le {_day(item.observed_on)})"
                    for item in report.indicators.all()
                ],
                "Faits décrits": values["text"],
                "Décision": ", ".join(report.outcomes) or report.get_status_display(),
                "Motif de la décision": values["qualification_reason"],
                "Décidé le": _day(report.qualified_at),
            }
        )
    return rows


def _closure(situation) -> str:
    if not situation.closure_reason:
        return ""
    if situation.closure_reason == ClosureReason.STATE_CARE:
        return "Motif non communiqué (information relevant de l'État)"
    return situation.get_closure_reason_display()


def _transition_reason(situation, event, cipher) -> str:
    """A change of state's reason; other events' reasons name staff (the référent)."""
    if event.kind != "transition":
        return ""
    if event.to_status == "closed" and situation.closure_reason == ClosureReason.STATE_CARE:
        return "Motif non communiqué (information relevant de l'État)"
    return event.unseal(cipher)["reason"]


def _situations(situations, cipher) -> list[dict]:
    rows = []
    for situation in situations:
        values = situation.unseal(cipher)
        measures = [
            {
                "Nature": measure.get_kind_display(),
                "Organisme": measure.provider.name,
                "État": measure.get_status_display(),
                "Proposée le": _day(measure.proposed_on),
                "Réponse de la personne le": _day(measure.consent_on),
                "Accord des représentants légaux le": _day(measure.parental_consent_on),
                "Début": _day(measure.started_on),
                "Fin": _day(measure.ended_on),
                "Bilan": measure.unseal(cipher)["outcome"],
            }
            for measure in situation.measures.select_related("provider")
        ]
        reviews = [
            {
                "Revue du": _day(review.reviewed_on),
                "Ce qui a changé": review.unseal(cipher)["changes"],
                "Prochaine revue": _day(review.next_review_on),
            }
            for review in situation.reviews.all()
        ]
        notes = [
            {"Écrite le": _day(note.created_at), "Note": note.unseal(cipher)["text"]}
            for note in situation.notes.all()
        ]
        steps = [
            {
                "Le": _day(event.at),
                "Étape": event.get_kind_display()
                + (
                    f" : {SituationStatus(event.from_status).label} → "
                    f"{SituationStatus(event.to_status).label}"
                    if event.from_status and event.to_status
                    else ""
                ),
                "Motif": _transition_reason(situation, event, cipher),
            }
            for event in situation.events.all()
        ]
        closure_text = values["closure_text"]
        if situation.closure_reason == ClosureReason.STATE_CARE:
            closure_text = ""
        rows.append(
            {
                "Référence": f"Situation n° {situation.reference}",
                "Ouverte le": _day(situation.opened_at),
                "État": situation.get_status_display(),
                "Référent de parcours": _organisation(situation.referent),
                "Clôturée le": _day(situation.closed_at),
                "Motif de clôture": _closure(situation),
                "Texte de clôture": closure_text,
                "Archivée le": _day(situation.archived_at),
                "Mesures d'accompagnement": measures,
                "Revues": reviews,
                "Notes de suivi": notes,
                "Étapes": steps,
            }
        )
    return rows


def _information(request) -> dict:
    """What art. 15.1 asks besides the data: purposes, recipients, retention, source, rights."""
    from cellule.privacy.register import retention_rows

    cell = request.cell
    return {
        "Responsable du traitement": cell.organisation.name,
        "Cellule": cell.name,
        "Finalités": "Coordonner la prévention et l'accompagnement social des personnes "
        "signalées à la cellule ; échanger avec l'État le strict nécessaire (art. L. 132-5 du "
        "code de la sécurité intérieure).",
        "Base légale": "Mission d'intérêt public (art. 6.1.e RGPD).",
        "Destinataires": "Les membres habilités de la cellule, selon leur besoin d'en connaître ; "
        "les organismes qui portent une mesure d'accompagnement acceptée ; la cellule "
        "départementale de la préfecture, dans les limites de la charte.",
        "Origine des données": "Signalements d'agents habilités (leur identité n'est pas "
        "communiquée) et suivi par la cellule.",
        "Durées de conservation": [
            f"{row['label']} : {row['delay']} {row['starts']}" for row in retention_rows(cell)
        ],
        "Vos droits": "Rectification, effacement, limitation, opposition, auprès du délégué à "
        "la protection des données ; réclamation auprès de la CNIL (www.cnil.fr).",
    }


def build_export(*, request, person) -> dict:
    """The export as a dict of French labels: what is held, and what was removed."""
    cipher = person.cipher()
    situations = list(
        person.situations.select_related("referent__organisation").order_by("opened_at")
    )
    content = {
        "Demande": {
            "Référence": f"Demande n° {request.reference}",
            "Droit exercé": request.get_kind_display(),
            "Reçue le": _day(request.received_on),
            "Export préparé le": _day(timezone.now()),
        },
        "Informations sur le traitement": _information(request),
        "Identité": _identity(person),
        "Représentants légaux": _representatives(person),
        "Signalements": _signalements(person, cipher),
        "Situations": _situations(situations, cipher),
    }
    for source in _SOURCES:
        title, rows = source(person, situations)
        if rows:
            content[title] = rows
    content["Informations retirées de cet export"] = list(REDACTIONS)
    return content


# --- Records of the apps above cases (registered from PrivacyConfig.ready) ----------------------


def seance_decisions(person, situations):
    """The séance items about the person and the decisions taken (who took them is staff)."""
    from django.db.models import Q

    from cellule.meetings.models import AgendaItem

    cipher = person.cipher()
    items = (
        AgendaItem.objects.filter(Q(situation__in=situations) | Q(signalement__person=person))
        .select_related("seance")
        .order_by("seance__starts_at")
    )
    rows = []
    for item in items:
        decision = item.decision if hasattr(item, "decision") else None
        rows.append(
            {
                "Séance du": _day(item.seance.starts_at),
                "Point": item.label,
                "Décision": decision.get_kind_display() if decision else "Aucune décision",
                "Texte de la décision": decision.unseal(cipher)["text"] if decision else "",
            }
        )
    return "Séances de la cellule", rows


def transmissions_to_state(person, situations):
    """What the commune itself sent to the préfecture about the person: the day, the legal
    basis and the fields sent. The State's own transmissions (feedback, information) are left
    out: they are the State's to communicate."""
    from django.db.models import Q

    from cellule.exchanges.enums import TransmittedField
    from cellule.exchanges.models import Transmission

    sent = Transmission.objects.filter(
        Q(situation__in=situations) | Q(signalement__person=person),
        kind="report_to_state",
        sent_at__isnull=False,
    ).order_by("sent_at")
    labels = dict(TransmittedField.choices)
    rows = [
        {
            "Transmise à la préfecture le": _day(transmission.sent_at),
            "Base légale": transmission.get_legal_basis_display(),
            "Informations transmises": [labels.get(code, code) for code in transmission.fields],
        }
        for transmission in sent
    ]
    return "Transmissions à la préfecture", rows
