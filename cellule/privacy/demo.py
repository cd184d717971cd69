"""Demo data of the privacy app (called by ``core.demo.seed_demo``), idempotent:

- a past purge, for real: an unfounded report of Miramas qualified four months ago, purged
  yesterday by the daily run, whose certificate the DPO can open;
- a report redirected to the CCAS eleven months ago: due within the month, so that the
  coordinator's « Échéances » list and dashboard show it;
- a legal hold on Mathis Fabre's closed situation (a family's appeal);
- an access request from Benoît Lefèvre, received ten days ago: found in the file, its export
  prepared by the DPO and waiting for the coordinator's review.
"""

from datetime import timedelta

from django.utils import timezone

from cellule.privacy import services
from cellule.privacy.enums import PurgeTrigger
from cellule.privacy.models import LegalHold, PurgeCertificate, RightsRequest


def seed(cells, users) -> None:
    cell = cells["miramas"]
    coordinator = users["coordination.miramas"]
    dpo = users["dpo.miramas"]
    _past_purge(cell, coordinator, users["agent.miramas"])
    _due_soon(cell, coordinator, users["agent.miramas"])
    _legal_hold(cell, coordinator)
    _access_request(cell, coordinator, dpo)


def _past_purge(cell, coordinator, agent) -> None:
    if PurgeCertificate.objects.exists():
        return
    from cellule.people.identity import Identity
    from cellule.privacy.purge import run_purge

    _old_report(
        cell,
        coordinator,
        agent,
        identity=Identity(last_name="Garnier", first_name="Théo", approximate_age=17),
        code="threats",
        text="Menaces rapportées par un autre adhérent du club ; aucun témoin.",
        decision={
            "closed": True,
            "closure_reason": "unfounded",
            "reason": "Vérification faite auprès du club : faits non établis.",
        },
        days_ago=120,
    )
    # The daily run of yesterday: it purged that report (and its person), and wrote a certificate.
    run_purge(now=timezone.now() - timedelta(days=1), trigger=PurgeTrigger.SCHEDULED)


def _old_report(cell, coordinator, agent, *, identity, code, text, decision, days_ago):
    from cellule.reports import services as report_services
    from cellule.reports.models import Indicator, Signalement

    now = timezone.now()
    observed = timezone.localdate() - timedelta(days=days_ago + 7)
    report = report_services.file_signalement(
        cell=cell,
        identity=identity,
        commune=cell.communes.first(),
        observed_on=observed,
        source_category="sports_club",
        indicators=[(Indicator.objects.get(code=code, is_current=True), observed)],
        text=text,
        by=agent,
    )
    report_services.confirm_new_person(signalement=report, by=coordinator)
    report_services.qualify_signalement(
        signalement=report, decision=report_services.Qualification(**decision), by=coordinator
    )
    Signalement.objects.filter(pk=report.pk).update(
        created_at=now - timedelta(days=days_ago + 5), qualified_at=now - timedelta(days=days_ago)
    )
    return report


def _due_soon(cell, coordinator, agent) -> None:
    from cellule.people.identity import Identity
    from cellule.reports.models import Signalement

    if Signalement.objects.filter(cell=cell, outcome_redirected=True).exists():
        return
    _old_report(
        cell,
        coordinator,
        agent,
        identity=Identity(last_name="Robin", first_name="Chloé", approximate_age=16),
        code="activities-dropped",
        text="A quitté le club après un conflit avec l'entraîneur ; la famille demande de l'aide.",
        decision={
            "redirected": True,
            "redirect_service": "ccas",
            "reason": "Difficultés familiales : relève du CCAS.",
        },
        days_ago=345,
    )


def _legal_hold(cell, coordinator) -> None:
    from cellule.cases.models import Situation

    situation = Situation.objects.filter(cell=cell, status__in=("closed", "archived")).first()
    if situation is None or LegalHold.objects.filter(situation=situation).exists():
        return
    services.place_hold(
        situation=situation,
        ground="litigation",
        detail="Recours gracieux de la famille, courrier du service juridique n° 2026-014",
        by=coordinator,
    )


def _access_request(cell, coordinator, dpo) -> None:
    from cellule.cases.models import Situation

    if RightsRequest.objects.filter(cell=cell).exists():
        return
    situation = (
        Situation.objects.filter(cell=cell, status="support").select_related("person__key").first()
    )
    if situation is None:
        return
    identity = situation.person.identity
    request = services.record_request(
        cell=cell,
        kind="access",
        received_on=timezone.localdate() - timedelta(days=10),
        last_name=identity.last_name,
        first_name=identity.first_name,
        birth_date=identity.birth_date,
        contact="Par courrier, à l'adresse du domicile familial (demande signée de la mère).",
        by=dpo,
    )
    request = services.link_person(request=request, person=situation.person, by=dpo)
    services.prepare_export(request=request, by=dpo)
