"""The demonstration data set: département 13 with its préfecture cell and three CMERs.

Idempotent: every object is found by a natural key and created only when missing.
"""

import base64
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.enums import CellKind, GlobalRole, OrganisationKind, Role
from cellule.accounts.models import Cell, Invitation, Membership, Organisation, User
from cellule.accounts.security import digest
from cellule.territory.models import Commune, Departement
from cellule.territory.services import import_cog

DEMO_PASSWORD = "demo-cellule-2026"
DOMAIN = "cellule.test"

ORGANISATIONS = {
    # key: (name, kind, commune code)
    "prefecture": ("Préfecture des Bouches-du-Rhône", OrganisationKind.PREFECTURE, None),
    "miramas": ("Commune de Miramas", OrganisationKind.COMMUNE, "13063"),
    "istres": ("Commune d'Istres", OrganisationKind.COMMUNE, "13047"),
    "salon": ("Commune de Salon-de-Provence", OrganisationKind.COMMUNE, "13103"),
    "ccas_miramas": ("CCAS de Miramas", OrganisationKind.CCAS, "13063"),
    "ccas_istres": ("CCAS d'Istres", OrganisationKind.CCAS, "13047"),
    "mission_locale": ("Mission locale Ouest Provence", OrganisationKind.MISSION_LOCALE, "13047"),
    "education": (
        "Direction des services départementaux de l'Éducation nationale 13",
        OrganisationKind.EDUCATION_NATIONALE,
        None,
    ),
    "pm_miramas": ("Police municipale de Miramas", OrganisationKind.POLICE_MUNICIPALE, "13063"),
    "pm_salon": (
        "Police municipale de Salon-de-Provence",
        OrganisationKind.POLICE_MUNICIPALE,
        "13103",
    ),
    "prevention": (
        "Prévention spécialisée Ouest Étang de Berre",
        OrganisationKind.PREVENTION_SPECIALISEE,
        "13063",
    ),
    "police": ("Commissariat de police d'Istres", OrganisationKind.POLICE_NATIONALE, "13047"),
    "departement": (
        "Conseil départemental des Bouches-du-Rhône",
        OrganisationKind.CONSEIL_DEPARTEMENTAL,
        None,
    ),
}

CELLS = {
    # key: (name, kind, controller organisation, communes)
    "prefecture": (
        "Cellule départementale des Bouches-du-Rhône",
        CellKind.DEPARTMENTAL,
        "prefecture",
        [],
    ),
    "miramas": ("CMER de Miramas", CellKind.MUNICIPAL, "miramas", ["13063"]),
    "istres": ("CMER d'Istres", CellKind.MUNICIPAL, "istres", ["13047"]),
    "salon": ("CMER de Salon-de-Provence", CellKind.MUNICIPAL, "salon", ["13103"]),
}


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str
    organisation: str
    global_role: str = GlobalRole.NONE


PEOPLE = [
    Person(f"admin@{DOMAIN}", "Alain", "Technicien", "departement", GlobalRole.ADMIN),
    Person(f"dpo.miramas@{DOMAIN}", "Diane", "Protection", "miramas", GlobalRole.DPO),
    Person(f"dpo.prefecture@{DOMAIN}", "Denis", "Conformité", "prefecture", GlobalRole.DPO),
    # Préfecture
    Person(f"prefet@{DOMAIN}", "Hélène", "Préfète", "prefecture"),
    Person(f"referent.prefecture@{DOMAIN}", "Marc", "Référent", "prefecture"),
    Person(f"police.prefecture@{DOMAIN}", "Sophie", "Liaison", "police"),
    Person(f"education.prefecture@{DOMAIN}", "Paul", "Académie", "education"),
    # Miramas
    Person(f"maire.miramas@{DOMAIN}", "Claire", "Maire", "miramas"),
    Person(f"coordination.miramas@{DOMAIN}", "Karim", "Coordonnateur", "miramas"),
    Person(f"ccas.miramas@{DOMAIN}", "Nathalie", "Solidarité", "ccas_miramas"),
    Person(f"prevention.miramas@{DOMAIN}", "Yanis", "Éducateur", "prevention"),
    Person(f"education.miramas@{DOMAIN}", "Isabelle", "Proviseure", "education"),
    Person(f"police-municipale.miramas@{DOMAIN}", "Julien", "Brigadier", "pm_miramas"),
    Person(f"agent.miramas@{DOMAIN}", "Laura", "Animatrice", "miramas"),
    Person(f"invite.miramas@{DOMAIN}", "Thomas", "Psychologue", "departement"),
    # Shared between Miramas and Istres
    Person(f"sous-prefet@{DOMAIN}", "Bernard", "Sous-Préfet", "prefecture"),
    Person(f"mission-locale@{DOMAIN}", "Fatou", "Insertion", "mission_locale"),
    # Istres
    Person(f"maire.istres@{DOMAIN}", "François", "Édile", "istres"),
    Person(f"coordination.istres@{DOMAIN}", "Amandine", "Coordinatrice", "istres"),
    Person(f"ccas.istres@{DOMAIN}", "Olivier", "Accompagnant", "ccas_istres"),
    Person(f"agent.istres@{DOMAIN}", "Mehdi", "Médiateur", "istres"),
    Person(f"invite.istres@{DOMAIN}", "Agnès", "Infirmière", "education"),
    # Salon-de-Provence
    Person(f"maire.salon@{DOMAIN}", "Nicolas", "Consul", "salon"),
    Person(f"coordination.salon@{DOMAIN}", "Émilie", "Clspd", "salon"),
    Person(f"police-municipale.salon@{DOMAIN}", "Rachid", "Gardien", "pm_salon"),
]

MEMBERSHIPS = [
    # (email prefix, cell, role, charter signed)
    ("prefet", "prefecture", Role.PRESIDENT, True),
    ("referent.prefecture", "prefecture", Role.COORDINATOR, True),
    ("police.prefecture", "prefecture", Role.STATE_DELEGATE, True),
    ("education.prefecture", "prefecture", Role.MEMBER, True),
    ("maire.miramas", "miramas", Role.PRESIDENT, True),
    ("coordination.miramas", "miramas", Role.COORDINATOR, True),
    ("ccas.miramas", "miramas", Role.MEMBER, True),
    ("prevention.miramas", "miramas", Role.MEMBER, True),
    # A new partner who has not signed yet: the coordinator's dashboard shows it.
    ("education.miramas", "miramas", Role.MEMBER, False),
    ("police-municipale.miramas", "miramas", Role.REPORTER, True),
    ("agent.miramas", "miramas", Role.REPORTER, True),
    ("invite.miramas", "miramas", Role.GUEST, True),
    ("sous-prefet", "miramas", Role.STATE_DELEGATE, True),
    ("sous-prefet", "istres", Role.STATE_DELEGATE, True),
    ("mission-locale", "miramas", Role.MEMBER, True),
    ("mission-locale", "istres", Role.MEMBER, True),
    ("maire.istres", "istres", Role.PRESIDENT, True),
    ("coordination.istres", "istres", Role.COORDINATOR, True),
    ("ccas.istres", "istres", Role.MEMBER, True),
    ("agent.istres", "istres", Role.REPORTER, True),
    ("invite.istres", "istres", Role.GUEST, True),
    ("maire.salon", "salon", Role.PRESIDENT, True),
    ("coordination.salon", "salon", Role.COORDINATOR, True),
    ("police-municipale.salon", "salon", Role.REPORTER, True),
]


def _past(days: int, hour: int = 10) -> datetime:
    """``days`` ago at ``hour`` (local time), never later than now."""
    day = timezone.localdate() - timedelta(days=days)
    return min(timezone.make_aware(datetime.combine(day, time(hour))), timezone.now())


@contextmanager
def _on(moment: datetime):
    """Runs the services as if at ``moment``, so that the demo's history is written in the order
    it happened: each record, its journal event and its notifications carry their own date."""
    import time_machine  # a development dependency: the demo never runs in production

    with time_machine.travel(moment, tick=True):
        yield


def _organisations(departement) -> dict[str, Organisation]:
    result = {}
    for key, (name, kind, commune_code) in ORGANISATIONS.items():
        result[key], _ = Organisation.objects.update_or_create(
            name=name, departement=departement, defaults={"kind": kind, "commune_id": commune_code}
        )
    return result


def _cells(departement, organisations) -> dict[str, Cell]:
    result = {}
    for key, (name, kind, organisation, communes) in CELLS.items():
        cell, _ = Cell.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "departement": departement,
                "organisation": organisations[organisation],
            },
        )
        cell.communes.set(Commune.objects.filter(code__in=communes))
        result[key] = cell
    return result


def _users(organisations) -> dict[str, User]:
    result = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                person.email,
                DEMO_PASSWORD,
                first_name=person.first_name,
                last_name=person.last_name,
                organisation=organisations[person.organisation],
                global_role=person.global_role,
            )
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name="Application d'authentification", confirmed=True
            )
        result[person.email.split("@")[0]] = user
    return result


def _memberships(users, cells) -> list[Membership]:
    today = timezone.localdate()
    result = []
    for prefix, cell_key, role, signed in MEMBERSHIPS:
        cell = cells[cell_key]
        defaults = {
            "role": role,
            "valid_from": today - timedelta(days=180),
            "valid_until": today + timedelta(days=30) if role == Role.GUEST else None,
        }
        membership, created = Membership.objects.get_or_create(
            user=users[prefix], cell=cell, ended_at__isnull=True, defaults=defaults
        )
        if created and signed:
            membership.charter_signed_version = cell.charter_version
            membership.charter_signed_at = timezone.now() - timedelta(days=170)
            membership.save(update_fields=["charter_signed_version", "charter_signed_at"])
        result.append(membership)
    return result


INVITATIONS = [
    # (email, first name, last name, organisation, cell, role, hours since sent, renewal asked)
    ("n.martin@cellule.test", "Nadia", "Martin", "ccas_miramas", "miramas", Role.MEMBER, 20, False),
    ("s.robert@cellule.test", "Samuel", "Robert", "education", "miramas", Role.REPORTER, 100, True),
]


def _invitations(organisations, cells, users) -> None:
    """Pending and expired invitations, so that the coordinator's screen has something to manage."""
    now = timezone.now()
    for email, first, last, organisation, cell_key, role, hours, renewal in INVITATIONS:
        if Invitation.objects.filter(email=email, cell=cells[cell_key]).exists():
            continue
        sent = now - timedelta(hours=hours)
        Invitation.objects.create(
            email=email,
            first_name=first,
            last_name=last,
            organisation=organisations[organisation],
            cell=cells[cell_key],
            role=role,
            invited_by=users[f"coordination.{cell_key}"],
            token_hash=digest(
                secrets.token_urlsafe(32), purpose="invitation"
            ),  # a link nobody holds
            created_at=sent,
            expires_at=sent + timedelta(hours=Invitation.VALIDITY_HOURS),
            renewal_requested_at=now - timedelta(hours=2) if renewal else None,
        )


# (cell, reporter prefix, identity, days ago, indicator codes, text, urgent, decision)
SIGNALEMENTS = [
    (
        "miramas",
        "agent.miramas",
        ("Lefèvre", "Benoît", date(2009, 3, 12), None),
        100,
        ["school-dropout", "withdrawal"],
        "Ne vient plus au collège depuis la rentrée ; ne participe plus aux activités du service jeunesse.",
        False,
        {"agenda": True, "reason": "Décrochage scolaire et isolement : examen en séance."},
    ),
    (
        "miramas",
        "police-municipale.miramas",
        ("Petit", "Lucas", None, 19),
        41,
        ["rejects-collective-life"],
        "Altercations répétées avec les agents lors de rassemblements devant la médiathèque.",
        False,
        {
            "closed": True,
            "closure_reason": "out_of_remit",
            "reason": "Tranquillité publique : hors du champ.",
        },
    ),
    (
        "miramas",
        "agent.miramas",
        ("Girard", "Yanis", date(2008, 9, 2), None),
        10,
        ["family-break", "violent-content"],
        "A quitté le domicile familial ; a montré à d'autres jeunes des vidéos appelant à la violence.",
        False,
        None,
    ),
    (
        "miramas",
        "agent.miramas",
        ("LEFEBVRE", "Benoit", date(2009, 3, 12), None),
        2,
        ["activities-dropped"],
        "A abandonné le club de football où il jouait depuis quatre ans.",
        False,
        None,
    ),
    (
        "miramas",
        "police-municipale.miramas",
        ("Moreau", "Inès", None, 15),
        0,
        ["legitimises-violence", "threats"],
        "Propos publics légitimant un attentat récent ; menaces envers une enseignante rapportées par le collège.",
        True,
        None,
    ),
    (
        "istres",
        "agent.istres",
        ("Bernard", "Nolan", date(2007, 1, 23), None),
        4,
        ["training-or-job-dropout", "conspiracy-discourse"],
        "A quitté sa formation à la mission locale ; tient un discours complotiste en atelier.",
        False,
        None,
    ),
]


def _signalements(cells, users) -> None:
    """Reports to qualify (one urgent, one overdue, one possibly known), and decided ones."""
    from cellule.people.identity import Identity
    from cellule.reports import services as report_services
    from cellule.reports.models import Indicator, Signalement

    demo_cells = [cells[key] for key in {row[0] for row in SIGNALEMENTS}]
    if Signalement.objects.filter(cell__in=demo_cells).exists():
        return  # already seeded: reports are not idempotent by nature, so all or nothing
    for cell_key, reporter, (
        last,
        first,
        born,
        age,
    ), days, codes, text, urgent, decision in SIGNALEMENTS:
        cell = cells[cell_key]
        received = _past(days, hour=9)
        observed = timezone.localdate(received) - timedelta(days=3)
        with _on(received):
            signalement = report_services.file_signalement(
                cell=cell,
                identity=Identity(
                    last_name=last, first_name=first, birth_date=born, approximate_age=age
                ),
                commune=cell.communes.first(),
                observed_on=observed,
                source_category="school" if "agent" in reporter else "municipal_police",
                indicators=[
                    (Indicator.objects.get(code=code, is_current=True), observed) for code in codes
                ],
                text=text,
                urgent=urgent,
                by=users[reporter],
            )
        if decision:
            coordinator = users[f"coordination.{cell_key}"]
            with _on(received + timedelta(days=3, hours=2)):
                report_services.confirm_new_person(signalement=signalement, by=coordinator)
                report_services.qualify_signalement(
                    signalement=signalement,
                    decision=report_services.Qualification(**decision),
                    by=coordinator,
                )


# More persons followed in Miramas: (identity, days ago, indicator codes, text, outcome, days ago
# of the outcome)
SITUATION_REPORTS = [
    (
        ("Dubois", "Sarah", date(2007, 6, 3), None),
        120,
        ["family-break", "withdrawal"],
        "A quitté le foyer familial ; ne répond plus aux éducateurs du quartier.",
        "watch",
        110,
    ),
    (
        ("Fabre", "Mathis", date(2008, 11, 20), None),
        170,  # within the notifications' 180 days: the bell keeps what this report fired
        ["school-dropout"],
        "Absences répétées au lycée professionnel depuis deux mois.",
        "closed",
        15,  # within the archive delay: the demo shows a closed situation, not an archived one
    ),
]


def _situations(cells, users, organisations) -> None:
    """Miramas follows Benoît Lefèvre (opened by the « agenda » report): two measures, one
    accepted with consent, one proposed to the mission locale, a review due soon; Sarah Dubois is
    in watch with an overdue review; Mathis Fabre's situation is closed. Created once, each step
    on its day, between the report that opened the situation and today."""
    from cellule.cases import services as case_services
    from cellule.cases.models import Measure, Situation
    from cellule.people.identity import Identity
    from cellule.reports import services as report_services
    from cellule.reports.models import Indicator, Signalement

    cell = cells["miramas"]
    if Measure.objects.filter(situation__cell=cell).exists():
        return
    coordinator = users["coordination.miramas"]
    today = timezone.localdate()
    # A demo seeded before situations existed: its « agenda » report opens the situation now.
    for report in Signalement.objects.filter(cell=cell, outcome_agenda=True, situation=None):
        case_services.open_situation_for_report(signalement=report, by=coordinator)
    benoit = Situation.objects.filter(cell=cell).open().select_related("person__key").first()
    if benoit is None:
        return
    with _on(_past(95)):
        benoit = case_services.assign_referent(
            situation=benoit, referent=users["ccas.miramas"], by=coordinator
        )
    with _on(_past(88, hour=16)):
        benoit = case_services.transition_situation(
            situation=benoit,
            to="support",
            reason="La famille accepte un accompagnement après l'entretien au CCAS.",
            by=coordinator,
        )
    with _on(_past(40)):
        accepted = case_services.propose_measure(
            situation=benoit,
            kind="family_parenting",
            provider=organisations["ccas_miramas"],
            referent=users["ccas.miramas"],
            proposed_on=today - timedelta(days=40),
            by=coordinator,
        )
    with _on(_past(35)):
        case_services.record_consent(
            measure=accepted,
            accepted=True,
            answered_on=today - timedelta(days=35),
            parental_consent_on=today - timedelta(days=35),
            by=coordinator,
        )
    with _on(_past(5)):
        case_services.propose_measure(
            situation=benoit,
            kind="training_employment",
            provider=organisations["mission_locale"],
            referent=users["mission-locale"],
            proposed_on=today - timedelta(days=5),
            by=coordinator,
        )
    with _on(_past(4, hour=15)):
        case_services.record_review(
            situation=benoit,
            changes="Reprise partielle du collège ; la mère participe aux entretiens.",
            next_review_on=today + timedelta(days=6),
            by=coordinator,
        )
    for (last, first, born, age), days, codes, text, outcome, outcome_days in SITUATION_REPORTS:
        received = _past(days, hour=9)
        observed = timezone.localdate(received) - timedelta(days=3)
        with _on(received):
            signalement = report_services.file_signalement(
                cell=cell,
                identity=Identity(
                    last_name=last, first_name=first, birth_date=born, approximate_age=age
                ),
                commune=cell.communes.first(),
                observed_on=observed,
                source_category="youth_service",
                indicators=[
                    (Indicator.objects.get(code=code, is_current=True), observed) for code in codes
                ],
                text=text,
                by=users["agent.miramas"],
            )
        with _on(received + timedelta(days=3, hours=2)):
            report_services.confirm_new_person(signalement=signalement, by=coordinator)
            report_services.qualify_signalement(
                signalement=signalement,
                decision=report_services.Qualification(agenda=True, reason="Examen en séance."),
                by=coordinator,
            )
        situation = Situation.objects.get(origin_reports=signalement)
        if outcome == "watch":
            with _on(received + timedelta(days=5)):
                situation = case_services.assign_referent(
                    situation=situation, referent=users["prevention.miramas"], by=coordinator
                )
            with _on(_past(outcome_days, hour=16)):
                case_services.transition_situation(
                    situation=situation,
                    to="watch",
                    reason="Contact renoué par l'éducateur ; pas de mesure pour l'instant.",
                    by=coordinator,
                )
            Situation.objects.filter(pk=situation.pk).update(
                next_review_on=today - timedelta(days=12)
            )
        else:
            with _on(_past(outcome_days, hour=16)):
                case_services.close_situation(
                    situation=situation,
                    reason="goals_met",
                    text="Retour régulier au lycée ; la famille ne souhaite pas d'autre suivi.",
                    reviews=[],
                    by=coordinator,
                )


def _date_seance_reviews(cell, *, since) -> None:
    """The séance demo backdates its decisions, not the reviews they wrote back on the
    situations (dated when the demo ran): give each review its decision's date."""
    from cellule.cases.models import Review
    from cellule.meetings.models import Decision

    decisions = Decision.objects.filter(item__seance__cell=cell, recorded_at__lt=since)
    for decision in decisions.select_related("item"):
        Review.objects.filter(
            situation_id=decision.item.situation_id, created_at__gte=since
        ).update(
            created_at=decision.recorded_at, reviewed_on=timezone.localdate(decision.recorded_at)
        )


def _notifications(users, cells) -> None:
    """A few notifications for the bell: a security notice, an older one already read, and the
    DPO's alert on the journal (fixed keys: created once)."""
    from cellule.alerts.services import notify

    coordinator = users["coordination.miramas"]
    for notification in notify(
        kind="password_changed", recipients=[coordinator], target=coordinator, key="demo"
    ):
        notification.created_at = timezone.now() - timedelta(days=3)
        notification.read_at = notification.created_at + timedelta(hours=1)
        notification.save(update_fields=["created_at", "read_at"])
        notification.emails.all().delete()  # long read: no e-mail to send now
    notify(kind="new_login", recipients=[coordinator], target=coordinator, key="demo")
    notify(
        kind="unusual_reading",
        recipients=[users["dpo.miramas"]],
        cell=cells["miramas"],
        target=users["ccas.miramas"],
        key="demo",
    )


def totp_secret(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def seed_demo() -> dict:
    if (
        not Departement.objects.filter(code="13").exists()
        or not Commune.objects.filter(code="13063").exists()
    ):
        import_cog(departement="13")
    departement = Departement.objects.get(code="13")
    organisations = _organisations(departement)
    cells = _cells(departement, organisations)
    users = _users(organisations)
    memberships = _memberships(users, cells)
    _invitations(organisations, cells, users)
    _notifications(users, cells)
    _signalements(cells, users)
    _situations(cells, users, organisations)
    # Séances (meetings): DEMO HERE
    from cellule.meetings.demo import seed_meetings

    started = timezone.now()
    seed_meetings(cells, users)
    _date_seance_reviews(cells["miramas"], since=started)
    # Transmissions (exchanges): DEMO HERE
    from cellule.exchanges.demo import seed_exchanges

    seed_exchanges(cells, users)
    # RGPD (privacy): DEMO HERE
    from cellule.privacy.demo import seed as seed_privacy

    seed_privacy(cells, users)

    accounts = []
    for person in PEOPLE:
        if person.global_role:
            user = users[person.email.split("@")[0]]
            accounts.append(
                {
                    "email": user.email,
                    "role": person.global_role,
                    "cell": None,
                    "totp_secret": totp_secret(user),
                }
            )
    for membership in memberships:
        accounts.append(
            {
                "email": membership.user.email,
                "role": membership.role,
                "cell": membership.cell.name,
                "totp_secret": totp_secret(membership.user),
            }
        )
    return {"password": DEMO_PASSWORD, "accounts": accounts}
