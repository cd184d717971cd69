"""Who sees which situation, and how much: architecture §6."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cellule import access
from cellule.accounts.enums import Role
from cellule.cases.models import Measure, Situation
from cellule.journal.models import AuditEvent
from cellule.people.models import Person
from tests.accounts.factories import MembershipFactory
from tests.cases.factories import archived_situation, closed_situation, measure, open_situation
from tests.conftest import text


@pytest.fixture
def followed(cell, coordinator, member, state_delegate):
    """A situation whose référent is `member` and whose measure `state_delegate`'s organisation
    provides."""
    from cellule.cases import services

    situation = open_situation(cell, by=coordinator)
    situation = services.assign_referent(situation=situation, referent=member, by=coordinator)
    measure(situation, provider=state_delegate.organisation, by=coordinator, accepted=True)
    return situation


def visible(user):
    return set(Situation.objects.visible_to(user).values_list("pk", flat=True))


def test_scopes_by_role(world, followed):
    actors = world.actors
    assert followed.pk in visible(actors["president"])
    assert followed.pk in visible(actors["coordinator"])
    assert followed.pk in visible(actors["member"])  # référent
    assert followed.pk in visible(actors["state_delegate"])  # provider
    for name in ("reporter", "guest", "unsigned", "admin", "dpo", "outsider"):
        assert visible(actors[name]) == set(), name


def test_a_member_who_neither_follows_nor_provides_sees_nothing(cell, followed):
    other = MembershipFactory(cell=cell, role=Role.MEMBER).user
    assert visible(other) == set()
    assert not Person.objects.visible_to(other).exists()


def test_members_see_the_person_of_a_situation_they_follow_only(
    cell, followed, member, state_delegate, coordinator
):
    stranger = open_situation(cell, by=coordinator, last_name="Roux", first_name="Anna")
    for user in (member, state_delegate):
        persons = set(Person.objects.visible_to(user).values_list("pk", flat=True))
        assert persons == {followed.person_id}
        assert stranger.person_id not in persons


def test_a_refused_measure_gives_its_provider_nothing(cell, coordinator):
    from cellule.cases import services

    provider = MembershipFactory(cell=cell, role=Role.MEMBER).user
    situation = open_situation(cell, by=coordinator)
    m = measure(situation, provider=provider.organisation, by=coordinator)
    assert situation.pk in visible(provider)
    services.record_consent(
        measure=m,
        accepted=False,
        answered_on=timezone.localdate(),
        by=coordinator,
    )
    assert Measure.objects.get(pk=m.pk).status == "refused"  # kept, as refused
    assert visible(provider) == set()


def test_the_provider_gets_a_restricted_view_without_reports_or_notes(
    client_for, followed, state_delegate, coordinator
):
    from cellule.cases import services

    services.add_note(situation=followed, text="Note confidentielle du suivi.", by=coordinator)
    client = client_for(state_delegate)
    full = client.get(reverse("cases:detail", args=[followed.pk]))
    assert full.status_code == 403
    response = client.get(reverse("cases:provider", args=[followed.pk]))
    assert response.status_code == 200
    page = text(response)
    identity = followed.person.identity
    assert identity.last_name in page
    assert "Référent de parcours" in page
    assert followed.referent.get_full_name() in page
    assert "Scolarité" in page
    report = followed.origin_reports.get()
    for hidden in (
        "Signalements d'origine",
        report.reference,
        "Note confidentielle",
        "Chronologie",
    ):
        assert hidden not in page
    assert AuditEvent.objects.filter(
        actor_id=state_delegate.pk, action="record_viewed", target_id=str(followed.pk)
    ).exists()


def test_the_referent_sees_the_situation_but_not_the_consultations(client_for, followed, member):
    page = text(client_for(member).get(reverse("cases:detail", args=[followed.pk])))
    assert "Chronologie" in page
    assert "Consultations" not in page
    assert "Signalements d'origine" not in page
    assert followed.origin_reports.get().reference not in page


def test_the_consultations_panel_shows_who_read_when_and_why(
    client_for, followed, president, coordinator, member
):
    client_for(member).get(reverse("cases:detail", args=[followed.pk]))
    page = text(client_for(coordinator).get(reverse("cases:detail", args=[followed.pk])))
    assert "Consultations" in page
    assert member.get_full_name() in page
    assert "Consultation d'une fiche" in page


def test_archived_situations_need_a_reason_which_the_journal_keeps(client_for, cell, coordinator):
    # A name no generated account can contain (« Martin » is in « Martinez », « Martine »).
    situation = closed_situation(cell, by=coordinator, last_name="Quesnel-Vidal")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        from cellule.cases.services import archive_due_situations

        archive_due_situations()
        client = client_for(coordinator)
        detail = client.get(reverse("cases:detail", args=[situation.pk]))
        assert detail.status_code == 302
        assert detail.url == reverse("cases:archived", args=[situation.pk])
        form = client.get(detail.url)
        assert "Motif de la consultation" in text(form)
        assert situation.person.identity.last_name not in text(form)
        empty = client.post(detail.url, {"reason": "  "})
        assert empty.status_code == 200
        assert not AuditEvent.objects.filter(
            actor_id=coordinator.pk, target_id=str(situation.pk), action="record_viewed"
        ).exists()
        response = client.post(detail.url, {"reason": "Demande d'accès de l'intéressé"})
        assert response.status_code == 200
        assert situation.person.identity.last_name in text(response)
    event = AuditEvent.objects.get(
        actor_id=coordinator.pk, target_id=str(situation.pk), action="record_viewed"
    )
    assert event.reason == "Demande d'accès de l'intéressé"


def test_the_fetcher_refuses_an_archived_situation_without_reason(cell, coordinator):
    from django.core.exceptions import PermissionDenied

    situation = archived_situation(cell, by=coordinator)
    with pytest.raises(PermissionDenied):
        access.get_situation(coordinator, situation.pk, ability="view_archived")
    with pytest.raises(PermissionDenied):
        access.get_situation(coordinator, situation.pk)  # the plain view is refused
    assert access.get_situation(
        coordinator, situation.pk, ability="view_archived", reason="contrôle"
    )


def test_the_referent_loses_an_archived_situation(cell, coordinator, member):
    from cellule.cases import services

    situation = open_situation(cell, by=coordinator)
    services.assign_referent(situation=situation, referent=member, by=coordinator)
    services.close_situation(
        situation=situation, reason="goals_met", text="Fin.", reviews=[], by=coordinator
    )
    assert situation.pk in visible(member)
    services.archive_due_situations(now=timezone.now() + timedelta(days=31))
    assert visible(member) == set()
