"""Each attendee sees the agenda redacted to what they may see: in the page and in the PDF."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.cases import services as case_services
from cellule.meetings import services
from cellule.meetings.enums import SeanceFormat
from tests.accounts.factories import MembershipFactory
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.meetings.conftest import pdf_text
from tests.meetings.factories import attendee, hold, plan, started

pytestmark = pytest.mark.django_db

NAMES = ("Quesnel-Vidal", "Maëlys", "Abadie-Tournier", "Gwendal")


@pytest.fixture
def two(cell, coordinator):
    followed = open_situation(cell, by=coordinator, last_name="Quesnel-Vidal", first_name="Maëlys")
    other = open_situation(cell, by=coordinator, last_name="Abadie-Tournier", first_name="Gwendal")
    return followed, other


def _acknowledge(seance, user):
    services.acknowledge_confidentiality(attendee=attendee(seance, user), by=user)


def test_in_a_plenary_seance_a_member_sees_only_the_names_they_follow(
    cell, coordinator, member, state_delegate, two, client_for
):
    followed, other = two
    case_services.assign_referent(situation=followed, referent=member, by=coordinator)
    seance = started(
        cell, members=[coordinator, member, state_delegate], format=SeanceFormat.PLENARY
    )
    for user in (member, state_delegate):
        _acknowledge(seance, user)

    page = text(client_for(member).get(reverse("meetings:detail", kwargs={"pk": seance.pk})))
    assert "Quesnel-Vidal Maëlys" in page
    assert f"Situation n° {other.reference} (restreinte)" in page
    assert "Abadie-Tournier" not in page and "Anna" not in page

    page = text(
        client_for(state_delegate).get(reverse("meetings:detail", kwargs={"pk": seance.pk}))
    )
    assert f"Situation n° {followed.reference} (restreinte)" in page
    assert not any(name in page for name in NAMES)


def test_in_a_restricted_seance_the_convened_members_see_the_names_once_committed(
    cell, coordinator, member, two, client_for
):
    seance = started(cell, members=[coordinator, member])
    client = client_for(member)
    url = reverse("meetings:detail", kwargs={"pk": seance.pk})
    before = text(client.get(url))
    assert "(restreinte)" in before and not any(name in before for name in NAMES)
    assert "Je m'engage à respecter la confidentialité" in before

    client.post(reverse("meetings:acknowledge", kwargs={"pk": attendee(seance, member).pk}))
    after = text(client.get(url))
    assert "Quesnel-Vidal Maëlys" in after and "Abadie-Tournier Gwendal" in after
    assert "(restreinte)" not in after


def test_a_member_not_convened_sees_nothing_of_the_seance(
    cell, coordinator, member, state_delegate, two, client_for
):
    seance = started(cell, members=[coordinator, member])
    response = client_for(state_delegate).get(reverse("meetings:detail", kwargs={"pk": seance.pk}))
    assert response.status_code == 404


def test_the_pdf_of_a_member_not_entitled_holds_no_name(
    cell, president, coordinator, member, state_delegate, two, client_for
):
    followed, other = two
    case_services.assign_referent(situation=followed, referent=member, by=coordinator)
    seance = started(
        cell, members=[coordinator, member, state_delegate], format=SeanceFormat.PLENARY
    )
    seance = hold(seance, by=coordinator)
    services.validate_minutes(seance=seance, by=president)

    delegate = pdf_text(
        client_for(state_delegate)
        .get(reverse("meetings:minutes_pdf", kwargs={"pk": seance.pk}))
        .content
    )
    assert "Relevé de décisions" in delegate
    assert not any(name in delegate for name in NAMES)
    assert followed.reference not in delegate and other.reference not in delegate
    assert "2 autres points" in delegate

    referent = pdf_text(
        client_for(member).get(reverse("meetings:minutes_pdf", kwargs={"pk": seance.pk})).content
    )
    assert "Quesnel-Vidal Maëlys" in referent and "Abadie-Tournier" not in referent
    assert "1 autre point" in referent

    full = pdf_text(
        client_for(president).get(reverse("meetings:minutes_pdf", kwargs={"pk": seance.pk})).content
    )
    assert "Quesnel-Vidal Maëlys" in full and "Abadie-Tournier Gwendal" in full


def test_thirty_days_after_the_seance_the_member_no_longer_sees_the_names(
    cell, coordinator, member, two, client_for
):
    followed, _ = two
    seance = started(cell, members=[coordinator, member])
    _acknowledge(seance, member)
    url = reverse("cases:detail", kwargs={"pk": followed.pk})
    assert client_for(member).get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert client_for(member).get(url).status_code == 404
        page = text(client_for(member).get(reverse("meetings:detail", kwargs={"pk": seance.pk})))
        assert not any(name in page for name in NAMES)


def test_a_convened_member_reads_the_situation_but_manages_nothing(cell, coordinator, member, two):
    followed, _ = two
    started(cell, members=[coordinator, member])
    abilities = followed.abilities(type(member).objects.get(pk=member.pk))
    assert abilities["view"]
    assert not any(
        abilities[name]
        for name in ("manage_measures", "review", "add_note", "close", "transition", "view_reports")
    )


def test_before_the_convocation_a_member_sees_neither_seance_nor_situations(
    cell, coordinator, member, two, client_for
):
    followed, _ = two
    seance = started(cell, members=[coordinator, member], convene=False)
    client = client_for(member)
    assert client.get(reverse("meetings:detail", kwargs={"pk": seance.pk})).status_code == 404
    assert client.get(reverse("cases:detail", kwargs={"pk": followed.pk})).status_code == 404


def test_a_guest_sees_only_their_items_and_only_during_the_seance(
    cell, coordinator, member, guest, two, client_for
):
    followed, other = two
    seance = plan(cell, members=[coordinator, member], by=coordinator)
    starts = seance.starts_at
    services.invite_guest(
        seance=seance,
        user=guest,
        items=[seance.items.get(situation=other)],
        by=coordinator,
    )
    services.convene_seance(seance=seance, by=coordinator)
    url = reverse("meetings:detail", kwargs={"pk": seance.pk})

    page = text(client_for(guest).get(url))
    assert "Je m'engage" in page and not any(name in page for name in NAMES)
    _acknowledge(seance, guest)
    page = text(client_for(guest).get(url))
    assert "visibles pendant la séance" in page and not any(name in page for name in NAMES)

    with time_machine.travel(starts + timedelta(minutes=5)):
        page = text(client_for(guest).get(url))
        assert "Abadie-Tournier Gwendal" in page
        assert "Quesnel-Vidal" not in page and followed.reference not in page
        assert "Convoqués" not in page  # a guest does not see who sits
        item = seance.items.get(situation=other)
        assert (
            client_for(guest).get(reverse("cases:detail", kwargs={"pk": other.pk})).status_code
            == 404
        )
        assert item.abilities(type(guest).objects.get(pk=guest.pk))["view"]

    with time_machine.travel(starts + timedelta(hours=3)):
        page = text(client_for(guest).get(url))
        assert not any(name in page for name in NAMES)


def test_a_guest_of_another_seance_sees_nothing(cell, coordinator, member, two, client_for):
    other_guest = MembershipFactory(cell=cell, role=Role.GUEST).user
    seance = started(cell, members=[coordinator, member])
    response = client_for(other_guest).get(reverse("meetings:detail", kwargs={"pk": seance.pk}))
    assert response.status_code == 404


def test_the_situation_list_of_a_convened_member_leads_to_the_full_page(
    cell, coordinator, member, two, client_for
):
    followed, _ = two
    started(cell, members=[coordinator, member])
    page = text(client_for(member).get(reverse("cases:list")))
    assert reverse("cases:detail", kwargs={"pk": followed.pk}) in page
    assert reverse("cases:provider", kwargs={"pk": followed.pk}) not in page
