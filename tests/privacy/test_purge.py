"""The purge with a frozen clock: nothing past its rule survives — not the records, not what
follows them, not the persons, not the notifications, not the journal's old references — and
nothing goes a day early. Legal holds suspend it; certificates prove it; facts survive it."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cellule.alerts.models import Notification
from cellule.alerts.services import notify
from cellule.cases import services as case_services
from cellule.cases.models import Measure, Note, Review, Situation, SituationEvent
from cellule.journal.models import AuditEvent
from cellule.people.models import LegalRepresentative, PersonKey
from cellule.privacy import services
from cellule.privacy.models import LegalHold, PurgeCertificate, PurgeLine
from cellule.privacy.purge import run_purge, upcoming, upcoming_summary, warn_upcoming
from cellule.reports.models import Signalement, SignalementIndicator
from cellule.stats.models import Fact
from tests.cases.factories import closed_situation, measure, open_situation
from tests.conftest import text
from tests.privacy.factories import qualified_signalement, rights_request

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
# Far enough in the past that ten years later is still more than six months ago: the journal's
# database deletes nothing younger, by its own clock (see conftest.py).
# In UTC: a day is 24 hours, whatever the summer time.
START = datetime(2015, 1, 5, 9, 0, tzinfo=UTC)
CLOSED = START + 60 * DAY  # when the ``followed`` situation is closed


def at(moment):
    return time_machine.travel(moment, tick=False)


def exists(obj) -> bool:
    return type(obj)._base_manager.filter(pk=obj.pk).exists()


# --- Signalements -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["unfounded", "malicious"])
def test_an_unfounded_or_malicious_report_goes_three_months_after_qualification(
    cell, coordinator, reason
):
    with at(START):
        report = qualified_signalement(cell, by=coordinator, closed=reason)
    person, indicators = report.person, list(report.indicators.all())
    with at(START + 90 * DAY - timedelta(minutes=1)):
        run_purge()
    assert exists(report) and exists(person)
    with at(START + 90 * DAY + timedelta(minutes=1)):
        certificate = run_purge().certificate
    assert not exists(report)
    assert not SignalementIndicator.objects.filter(pk__in=[i.pk for i in indicators]).exists()
    # The person had no other record: key destroyed, then the rows.
    assert not exists(person)
    assert not PersonKey.objects.filter(person_id=person.pk).exists()
    line = certificate.lines.get(rule="signalement_unfounded")
    assert (line.cell_id, line.days, line.deleted, line.held) == (cell.pk, 90, 1, 0)
    assert line.tables["reports.signalementindicator"] == len(indicators)
    assert certificate.lines.get(rule="person").deleted == 1


@pytest.mark.parametrize("kind", ["closed_other", "redirected"])
def test_a_report_closed_otherwise_or_redirected_goes_after_one_year(cell, coordinator, kind):
    with at(START):
        if kind == "redirected":
            report = qualified_signalement(cell, by=coordinator, redirected=True)
        else:
            report = qualified_signalement(cell, by=coordinator, closed="out_of_remit")
    with at(START + 364 * DAY):
        run_purge()
    assert exists(report)
    with at(START + 365 * DAY + timedelta(minutes=1)):
        run_purge()
    assert not exists(report)


def test_a_report_waiting_for_qualification_is_never_purged(cell, coordinator, reporter):
    from tests.reports.factories import file_signalement

    with at(START):
        report = file_signalement(cell, by=reporter)
    with at(START + 5 * 365 * DAY):
        run_purge()
    assert exists(report)


def test_a_cell_may_shorten_its_delay_and_another_cell_keeps_the_default(
    cell, coordinator, other_cell, outsider
):
    services.set_retention(cell=cell, rule="signalement_closed", days=120, by=coordinator)
    with at(START):
        ours = qualified_signalement(cell, by=coordinator, closed="other")
        theirs = qualified_signalement(other_cell, by=outsider, closed="other")
    with at(START + 121 * DAY):
        certificate = run_purge().certificate
    assert not exists(ours)
    assert exists(theirs)
    assert certificate.lines.get(rule="signalement_closed").days == 120


# --- Situations ---------------------------------------------------------------------------------


@pytest.fixture
def followed(cell, coordinator, member):
    """A situation with its whole file, closed on CLOSED then archived 30 days later."""
    with at(START):
        situation = open_situation(cell, by=coordinator, last_name="Canarin", first_name="Zoé")
        case_services.assign_referent(situation=situation, referent=member, by=coordinator)
        measure(situation, provider=member.organisation, by=coordinator, accepted=True)
        case_services.add_note(situation=situation, text="Entretien au CCAS.", by=coordinator)
        case_services.record_review(situation=situation, changes="Reprise.", by=coordinator)
    with at(CLOSED):
        situation = Situation.objects.get(pk=situation.pk)
        keep = [
            case_services.TextReview(key=item["key"], decision="keep")
            for item in case_services.free_texts(situation)
        ]
        situation = case_services.close_situation(
            situation=situation,
            reason="goals_met",
            text="Objectifs atteints.",
            reviews=keep,
            by=coordinator,
        )
    with at(CLOSED + 31 * DAY):
        case_services.archive_due_situations()
    situation.refresh_from_db()
    assert situation.status == "archived"
    return situation


def test_a_situation_is_destroyed_three_years_after_closure_with_its_whole_file(
    followed, coordinator
):
    person = followed.person
    reports = list(followed.origin_reports.values_list("pk", flat=True))
    facts = Fact.objects.count()
    parts = {
        Measure: list(followed.measures.values_list("pk", flat=True)),
        Note: list(followed.notes.values_list("pk", flat=True)),
        Review: list(followed.reviews.values_list("pk", flat=True)),
        SituationEvent: list(followed.events.values_list("pk", flat=True)),
    }
    assert all(parts.values())
    with at(CLOSED + 3 * 365 * DAY - DAY):
        run_purge()
    assert exists(followed)
    with at(CLOSED + 3 * 365 * DAY + DAY):
        certificate = run_purge().certificate
    assert not exists(followed)
    for model, pks in parts.items():
        assert not model.objects.filter(pk__in=pks).exists(), model
    assert not Signalement.objects.filter(pk__in=reports).exists()
    assert not exists(person)
    assert not LegalRepresentative.objects.filter(person_id=person.pk).exists()
    # The anonymous statistics survive the records they count.
    assert Fact.objects.count() == facts
    line = certificate.lines.get(rule="situation")
    assert (line.deleted, line.days) == (1, 3 * 365)
    assert line.tables["cases.measure"] == 1 and line.tables["reports.signalement"] == 1


def test_an_open_situation_is_never_purged(cell, coordinator):
    with at(START):
        situation = open_situation(cell, by=coordinator)
    with at(START + 10 * 365 * DAY):
        run_purge()
    assert exists(situation) and exists(situation.person)


def test_a_person_with_another_record_left_is_kept(cell, coordinator):
    """A person whose old situation goes but who was reported again stays, with the new one."""
    with at(START):
        situation = closed_situation(cell, by=coordinator, last_name="Perrin", first_name="Max")
    person = situation.person
    with at(START + 2 * 365 * DAY):
        from tests.reports.factories import file_signalement

        newer = file_signalement(cell, last_name="Perrin", first_name="Max")
        from cellule.reports import services as report_services

        report_services.attach_to_person(signalement=newer, person=person, by=coordinator)
    with at(START + 3 * 365 * DAY + DAY):
        run_purge()
    assert not exists(situation)
    assert exists(person) and person.key.wrapped_key is not None
    assert exists(newer)


# --- Legal holds --------------------------------------------------------------------------------


def test_a_legal_hold_suspends_the_purge_until_it_is_lifted(followed, coordinator):
    with at(CLOSED + 3 * 365 * DAY - 10 * DAY):
        hold = services.place_hold(
            situation=followed,
            ground="litigation",
            detail="TA Marseille n° 2501234",
            by=coordinator,
        )
    with at(CLOSED + 3 * 365 * DAY + DAY):
        certificate = run_purge().certificate
    assert exists(followed)
    line = certificate.lines.get(rule="situation")
    assert (line.deleted, line.held) == (0, 1)
    with at(CLOSED + 3 * 365 * DAY + 20 * DAY):
        services.lift_hold(hold=LegalHold.objects.get(pk=hold.pk), by=coordinator)
    with at(CLOSED + 3 * 365 * DAY + 21 * DAY):
        run_purge()
    assert not exists(followed)
    assert not LegalHold.objects.filter(pk=hold.pk).exists()  # the lifted hold followed it


def test_a_hold_on_an_origin_report_keeps_its_situation(followed, coordinator):
    report = followed.origin_reports.get()
    with at(CLOSED + 40 * DAY):
        services.place_hold(signalement=report, ground="judicial", by=coordinator)
    with at(CLOSED + 4 * 365 * DAY):
        run_purge()
    assert exists(followed) and exists(report)


def test_the_hold_detail_is_encrypted_and_required_for_another_ground(followed, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="référence"):
        services.place_hold(situation=followed, ground="other", detail=" ", by=coordinator)
    with at(CLOSED + 40 * DAY):
        hold = services.place_hold(
            situation=followed, ground="other", detail="Courrier CNIL 2025-77", by=coordinator
        )
    assert b"CNIL 2025-77" not in bytes(hold.detail_encrypted)
    assert LegalHold.objects.get(pk=hold.pk).detail == "Courrier CNIL 2025-77"


# --- What designates a purged record ------------------------------------------------------------


def test_notifications_that_designate_a_purged_record_go_with_it(followed, coordinator, president):
    with at(CLOSED + 40 * DAY):
        other = open_situation(followed.cell, by=coordinator, last_name="Autre", first_name="Eve")
    notify(
        kind="situation_review_due",
        recipients=[coordinator],
        key=f"{followed.pk}:2025-01-01",
        cell=followed.cell_id,
        target=followed,
    )
    notify(
        kind="situation_review_due",
        recipients=[coordinator],
        key=f"{other.pk}:2025-01-01",
        cell=other.cell_id,
        target=other,
    )
    assert Notification.objects.filter(key__contains=str(followed.pk)).exists()
    with at(CLOSED + 4 * 365 * DAY):
        run_purge()
    assert not Notification.objects.filter(key__contains=str(followed.pk)).exists()
    assert not Notification.objects.filter(target_id=str(followed.pk)).exists()
    assert Notification.objects.filter(target_id=str(other.pk)).exists()


def test_the_journal_keeps_no_reference_to_a_record_past_its_rule(followed, coordinator):
    ids = {str(followed.pk), str(followed.person_id)}
    ids |= {str(pk) for pk in followed.measures.values_list("pk", flat=True)}
    assert AuditEvent.objects.filter(target_id__in=ids).exists()
    with at(CLOSED + 3 * 365 * DAY + DAY):
        certificate = run_purge().certificate
    assert certificate.journal_months == 12 and certificate.journal_deleted > 0
    leftovers = [
        e for e in AuditEvent.objects.all() if e.target_id in ids or set(e.target_ids) & ids
    ]
    assert leftovers == []
    # What the purge itself journaled names its certificate, never a record.
    purge_events = AuditEvent.objects.filter(action="retention_purge")
    assert {e.target_id for e in purge_events} == {str(certificate.pk)}


def test_a_recent_read_of_a_purged_record_stays_in_the_journal_for_its_own_year(
    followed, coordinator
):
    """The journal is proof of who read what: a read in the last 12 months outlives the record,
    then goes at the journal's own term."""
    with at(CLOSED + 3 * 365 * DAY - 60 * DAY):
        from cellule import access

        access.get_situation(coordinator, followed.pk, ability="view_archived", reason="Contrôle")
    with at(CLOSED + 3 * 365 * DAY + DAY):
        run_purge()
    assert AuditEvent.objects.filter(target_id=str(followed.pk)).count() == 1
    with at(CLOSED + 4 * 365 * DAY):
        run_purge()
    assert not AuditEvent.objects.filter(target_id=str(followed.pk)).exists()


def test_a_certificate_holds_counts_and_no_reference_to_what_it_proves_gone(followed):
    ids = {str(followed.pk), str(followed.person_id)}
    with at(CLOSED + 4 * 365 * DAY):
        certificate = run_purge().certificate
    dumped = str(list(PurgeCertificate.objects.filter(pk=certificate.pk).values()))
    dumped += str(list(PurgeLine.objects.filter(certificate=certificate).values()))
    assert not any(pk in dumped for pk in ids)
    assert "Canarin" not in dumped


def test_a_certificate_counts_each_batch_as_it_goes_and_ends_with_the_run(followed):
    with at(CLOSED + 4 * 365 * DAY):
        certificate = run_purge().certificate
    assert certificate.finished_at is not None
    line = certificate.lines.get(rule="situation")
    assert line.deleted == 1 and line.tables["cases.situation"] == 1
    assert line.tables["cases.measure"] == 1
    person = certificate.lines.get(rule="person")  # left without any record, key and all
    assert person.deleted == 1 and person.tables["people.person"] == 1, person.tables
    assert person.tables["people.personkey"] == 1, person.tables


def test_an_interrupted_purge_leaves_a_certificate_of_what_went(
    followed, monkeypatch, client_for, dpo
):
    """Killed before its end (here: its last step fails), a purge leaves its certificate without an
    end, counting the records it destroyed; the next run finishes with its own certificate."""
    from cellule.privacy import purge

    def killed(certificate, report):
        raise KeyboardInterrupt

    monkeypatch.setattr(purge, "finish_certificate", killed)
    with at(CLOSED + 4 * 365 * DAY), pytest.raises(KeyboardInterrupt):
        run_purge()
    interrupted = PurgeCertificate.objects.get()
    assert interrupted.finished_at is None
    assert interrupted.lines.get(rule="situation").deleted == 1
    assert not exists(followed)
    page = text(client_for(dpo).get(reverse("privacy:certificate", kwargs={"pk": interrupted.pk})))
    assert "en cours ou interrompue" in page

    monkeypatch.undo()
    assert not purge.ran_today(CLOSED + 4 * 365 * DAY)  # the daily run will try again
    with at(CLOSED + 4 * 365 * DAY + DAY):
        finished = run_purge().certificate
    assert finished.finished_at is not None and finished.total_deleted == 0
    assert sum(line.deleted for line in PurgeLine.objects.filter(rule="situation")) == 1


# --- Persons without records --------------------------------------------------------------------


def test_a_person_left_without_any_record_is_destroyed_after_a_grace(cell, coordinator):
    """A duplicate made at intake: the report joined the known person, the intake record was
    shredded; its row goes 30 days later."""
    from cellule.reports import services as report_services
    from tests.reports.factories import file_signalement

    with at(START):
        known = qualified_signalement(cell, by=coordinator, closed="other", last_name="Petit")
        duplicate = file_signalement(cell, last_name="Petit")
        intake = duplicate.person
        report_services.attach_to_person(signalement=duplicate, person=known.person, by=coordinator)
    assert PersonKey.objects.get(person_id=intake.pk).wrapped_key is None
    with at(START + 29 * DAY):
        run_purge()
    assert exists(intake)
    with at(START + 31 * DAY):
        certificate = run_purge().certificate
    assert not exists(intake) and exists(known.person)
    assert certificate.lines.get(rule="person").deleted == 1


# --- Dry run, command, run_periodic -------------------------------------------------------------


def test_a_dry_run_deletes_nothing_and_writes_no_certificate(followed):
    with at(CLOSED + 4 * 365 * DAY):
        report = run_purge(dry_run=True)
    assert exists(followed)
    assert not PurgeCertificate.objects.exists()
    assert {line.rule.code for line in report.lines} == {"situation", "person"}
    assert report.journal_deleted > 0


def test_the_command_says_what_would_go_then_purges(followed):
    out = StringIO()
    with at(CLOSED + 4 * 365 * DAY):
        call_command("purge", "--dry-run", stdout=out)
    output = out.getvalue()
    assert "Simulation de purge" in output and "rien ne sera supprimé" in output
    assert "CMER de Miramas — Situations" in output and "1 à supprimer" in output
    assert "Journal des accès (12 mois)" in output
    assert exists(followed)
    out = StringIO()
    with at(CLOSED + 4 * 365 * DAY):
        call_command("purge", stdout=out)
    assert "1 supprimé(s)" in out.getvalue() and "Certificat de purge n°" in out.getvalue()
    assert not exists(followed)
    assert PurgeCertificate.objects.get().trigger == "command"


def test_the_command_help_is_in_french():
    from cellule.privacy.management.commands.purge import Command

    assert "durées de conservation" in Command.help
    parser = Command().create_parser("manage.py", "purge")
    assert "sans rien supprimer" in parser.format_help()


def test_run_periodic_purges_once_a_day(followed):
    with at(CLOSED + 4 * 365 * DAY):
        call_command("run_periodic", stdout=StringIO())
        call_command("run_periodic", stdout=StringIO())
    assert not exists(followed)
    assert PurgeCertificate.objects.filter(trigger="scheduled").count() == 1
    with at(CLOSED + 4 * 365 * DAY + DAY):
        call_command("run_periodic", stdout=StringIO())
    assert PurgeCertificate.objects.filter(trigger="scheduled").count() == 2


# --- The 30-day warning -------------------------------------------------------------------------


def test_the_coordinator_is_warned_30_days_ahead_once_without_names(
    followed, coordinator, president, client_for
):
    due = CLOSED + 3 * 365 * DAY
    with at(due - 40 * DAY):
        assert warn_upcoming() == 0
    with at(due - 29 * DAY):
        assert warn_upcoming() == 1
        assert warn_upcoming() == 0  # once
        rows = upcoming(cell_id=followed.cell_id)
    notice = Notification.objects.get(kind="retention_due")
    assert notice.recipient == coordinator
    assert "Canarin" not in notice.text and str(followed.pk) not in notice.key
    assert [row["reference"] for row in rows] == [f"Situation n° {followed.reference}"]
    response = client_for(coordinator).get(reverse("alerts:open", kwargs={"pk": notice.pk}))
    assert response.url == reverse("privacy:upcoming")
    assert not Notification.objects.filter(kind="retention_due", recipient=president).exists()


def test_a_held_record_is_listed_as_held_and_not_warned(followed, coordinator, client_for):
    due = CLOSED + 3 * 365 * DAY
    with at(CLOSED + 40 * DAY):
        services.place_hold(situation=followed, ground="cnil", by=coordinator)
    with at(due - 10 * DAY):
        assert warn_upcoming() == 0
        page = text(client_for(coordinator).get(reverse("privacy:upcoming")))
    assert f"Situation n° {followed.reference}" in page and "gelé" in page


def test_the_dashboard_card_counts_what_the_list_of_upcoming_records_shows(
    followed, cell, coordinator, client_for
):
    """The card's aggregates against ``upcoming``'s rows: a situation due, another held, an
    unfounded report due sooner, one that is not due yet."""
    due = CLOSED + 3 * 365 * DAY
    with at(CLOSED):
        held = closed_situation(cell, by=coordinator, last_name="Pinson", first_name="Léo")
        services.place_hold(situation=held, ground="cnil", by=coordinator)
    with at(due - 95 * DAY):
        qualified_signalement(cell, by=coordinator, closed="unfounded", last_name="Merle")
    with at(due - 50 * DAY):
        qualified_signalement(cell, by=coordinator, closed="unfounded", last_name="Geai")
    with at(due - 10 * DAY):
        rows = upcoming(cell_id=cell.pk)
        summary = upcoming_summary(cell_id=cell.pk)
        page = text(client_for(coordinator).get(reverse("core:home")))
    free = [row for row in rows if not row["held"]]
    assert summary == {
        "due": len(free),
        "held": len(rows) - len(free),
        "first_due": min(row["due_on"] for row in free),
    }
    assert (summary["due"], summary["held"]) == (2, 1)
    first = summary["first_due"].strftime("%d/%m/%Y")
    assert (
        f"2 dossiers arrivent au terme de leur conservation dans les 30 jours (premier le {first})"
        " ; 1 gelé." in page
    )
    with at(CLOSED):
        assert upcoming_summary(cell_id=cell.pk) == {"due": 0, "held": 0, "first_due": None}


# --- Other rules --------------------------------------------------------------------------------


def test_an_answered_rights_request_goes_after_three_years(cell, coordinator):
    with at(START):
        request = rights_request(cell, by=coordinator)
        services.link_person(request=request, person=None, by=coordinator)
        services.answer_request(request=request, outcome="no_data", by=coordinator)
    steps = list(request.steps.values_list("pk", flat=True))
    with at(START + 3 * 365 * DAY - DAY):
        run_purge()
    assert exists(request)
    with at(START + 3 * 365 * DAY + DAY):
        run_purge()
    assert not exists(request)
    from cellule.privacy.models import RightsRequestStep

    assert not RightsRequestStep.objects.filter(pk__in=steps).exists()


def test_an_open_rights_request_is_kept(cell, coordinator):
    with at(START):
        request = rights_request(cell, by=coordinator)
    with at(START + 10 * 365 * DAY):
        run_purge()
    assert exists(request)


def test_an_invitation_goes_180_days_after_it_ended(cell, coordinator):
    from tests.accounts.factories import InvitationFactory

    with at(START):
        invitation = InvitationFactory(cell=cell, invited_by=coordinator)
    with at(START + 100 * DAY):
        run_purge()
    assert exists(invitation)
    with at(START + 184 * DAY):
        run_purge()
    assert not exists(invitation)


def test_seance_items_follow_their_situation(followed, coordinator):
    if not rules_installed("meetings.agendaitem"):
        pytest.skip("séances pas encore installées")
    from cellule.meetings.models import AgendaItem, Seance

    seance = Seance.objects.create(
        created_at=START,
        cell=followed.cell,
        starts_at=START - 100 * DAY,
        ends_at=START - 100 * DAY + timedelta(hours=2),
        place="Mairie",
        created_by=coordinator,
    )
    item = AgendaItem.objects.create(
        seance=seance, situation=followed, origin="review", added_by=coordinator
    )
    with at(CLOSED + 3 * 365 * DAY + DAY):
        run_purge()
    assert not exists(followed) and not exists(item)
    # The séance, now without any item, goes three years after it was held.
    assert not exists(seance)


def rules_installed(label):
    from cellule.privacy.rules import _installed

    return _installed(label)


def test_a_transmission_follows_its_situation(cell, coordinator):
    if not rules_installed("exchanges.transmission"):
        pytest.skip("échanges pas encore installés")
    from cellule.exchanges.models import Transmission, TransmissionKey
    from tests.exchanges.factories import transmit

    with at(START):
        situation = open_situation(cell, by=coordinator, last_name="Vidal", first_name="Noa")
        transmission = transmit(situation, by=coordinator)
    with at(START + 10 * DAY):
        case_services.close_situation(
            situation=Situation.objects.get(pk=situation.pk),
            reason="goals_met",
            text="Fin.",
            reviews=[],
            by=coordinator,
        )
    with at(START + 10 * DAY + 3 * 365 * DAY + DAY):
        certificate = run_purge().certificate
    assert not Transmission.objects.filter(pk=transmission.pk).exists()
    assert not TransmissionKey.objects.filter(transmission_id=transmission.pk).exists()
    assert certificate.lines.get(rule="situation").tables["exchanges.transmission"] == 1
