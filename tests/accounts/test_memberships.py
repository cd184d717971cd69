"""The cell's members, as the coordinator manages them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.accounts.models import Membership
from tests.accounts.factories import MembershipFactory
from tests.conftest import text

pytestmark = pytest.mark.django_db


def test_cell_page_lists_current_members_with_bounded_queries(
    client_for, coordinator, cell, django_assert_max_num_queries
):
    MembershipFactory.create_batch(15, cell=cell)
    MembershipFactory(cell=cell, ended_at=timezone.now())
    client = client_for(coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    assert response.status_code == 200
    assert len(response.context["current_memberships"]) == 16
    assert len(response.context["past_memberships"]) == 1


def test_cell_page_shows_no_member_of_another_cell(client_for, coordinator, cell, outsider):
    response = client_for(coordinator).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    assert outsider.last_name not in text(response)


def test_coordinator_changes_a_role_and_an_end_date(client_for, coordinator, member):
    membership = member.memberships.get()
    until = timezone.localdate() + timezone.timedelta(days=60)
    response = client_for(coordinator).post(
        reverse("accounts:membership_edit", kwargs={"pk": membership.pk}),
        {"role": Role.STATE_DELEGATE, "valid_until": until.isoformat()},
    )
    assert response.url == reverse("accounts:cell_detail", kwargs={"pk": membership.cell_id})
    membership.refresh_from_db()
    assert (membership.role, membership.valid_until) == (Role.STATE_DELEGATE, until)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"role": "member", "valid_until": "2000-01-01"},
            "La date de fin ne peut pas précéder le début",
        ),
        ({"role": "member", "valid_until": "31/02/2027"}, "Saisissez une date valide."),
        ({"role": "dictateur", "valid_until": ""}, "Sélectionnez un choix valide."),
        ({"role": "guest", "valid_until": ""}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_membership_input_is_refused_with_a_french_message(
    client_for, coordinator, member, data, message
):
    membership = member.memberships.get()
    response = client_for(coordinator).post(
        reverse("accounts:membership_edit", kwargs={"pk": membership.pk}), data
    )
    assert response.status_code == 200
    assert message in text(response)
    membership.refresh_from_db()
    assert (membership.role, membership.valid_until) == (Role.MEMBER, None)


def test_ending_a_membership_asks_first_then_closes_access_at_once(client_for, coordinator, member):
    membership = member.memberships.get()
    client = client_for(coordinator)
    url = reverse("accounts:membership_end", kwargs={"pk": membership.pk})

    confirm = client.get(url)
    assert "n'aura plus aucun accès" in text(confirm)
    membership.refresh_from_db()
    assert membership.ended_at is None

    client.post(url)
    membership.refresh_from_db()
    assert membership.ended_at is not None and membership.ended_by == coordinator
    assert not Membership.objects.filter(user=member).granting().exists()
    member_client = client_for(member)
    assert (
        member_client.get(
            reverse("accounts:cell_detail", kwargs={"pk": membership.cell_id})
        ).status_code
        == 404
    )
    assert "Aucune habilitation active" in member_client.get(reverse("core:home")).content.decode()


def test_coordinator_cannot_edit_or_end_their_own_membership(client_for, coordinator):
    own = coordinator.memberships.get()
    client = client_for(coordinator)
    assert client.get(reverse("accounts:membership_edit", kwargs={"pk": own.pk})).status_code == 403
    assert client.post(reverse("accounts:membership_end", kwargs={"pk": own.pk})).status_code == 403


def test_expired_membership_grants_nothing(client_for, member):
    membership = member.memberships.get()
    Membership.objects.filter(pk=membership.pk).update(
        valid_from=timezone.localdate() - timezone.timedelta(days=10),
        valid_until=timezone.localdate() - timezone.timedelta(days=1),
    )
    response = client_for(member).get(
        reverse("accounts:cell_detail", kwargs={"pk": membership.cell_id})
    )
    assert response.status_code == 404


def test_cell_switcher_lists_the_cells_and_switches(client_for, member, other_cell):
    MembershipFactory(user=member, cell=other_cell, role=Role.REPORTER)
    client = client_for(member)
    page = text(client.get(reverse("core:home")))
    assert "Cellule de travail" in page and other_cell.name in page

    response = client.post(reverse("core:switch_cell"), {"cell": str(other_cell.pk), "next": "/"})
    assert response.url == "/"
    assert client.get("/").context["membership"].cell == other_cell


@pytest.mark.parametrize("value", ["pas-un-uuid", "00000000-0000-0000-0000-000000000000"])
def test_switching_to_a_foreign_or_malformed_cell_is_refused(client_for, member, value):
    response = client_for(member).post(reverse("core:switch_cell"), {"cell": value})
    assert response.status_code == 400


def test_the_working_cell_and_the_roles_come_from_one_read(
    rf, member, other_cell, django_assert_num_queries
):
    """The memberships read for the cell the user works in also fill the roles' cache that
    every scope asks: one query for both, a membership that has expired in neither."""
    from cellule.access.current import current_membership
    from cellule.access.roles import roles_by_cell
    from cellule.accounts.models import User

    MembershipFactory(user=member, cell=other_cell, role=Role.COORDINATOR)
    MembershipFactory(
        user=member, role=Role.PRESIDENT, valid_until=timezone.localdate() - timedelta(days=1)
    )
    request = rf.get("/")
    request.user = User.objects.get(pk=member.pk)
    request.session = {}
    with django_assert_num_queries(1):
        working = current_membership(request)
        roles = roles_by_cell(request.user)
    expected = dict(
        Membership.objects.filter(user=member).granting().values_list("cell_id", "role")
    )
    assert roles == expected and len(roles) == 2
    assert working.cell_id in roles
