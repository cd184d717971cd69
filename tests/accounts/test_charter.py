"""The charter gate: no page of a cell before its current charter is signed."""

import pytest
from django.urls import reverse

from cellule.accounts.enums import Role
from cellule.accounts.models import Cell, Membership
from tests.accounts.factories import MembershipFactory
from tests.conftest import text

pytestmark = pytest.mark.django_db


def test_unsigned_member_is_taken_to_the_charter_from_every_page(client_for, unsigned_member, cell):
    client = client_for(unsigned_member)
    membership = unsigned_member.memberships.get()
    charter_url = reverse("accounts:charter_sign", kwargs={"pk": membership.pk})

    for url in [reverse("core:home"), reverse("accounts:cell_detail", kwargs={"pk": cell.pk})]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == charter_url

    page = client.get(charter_url)
    assert page.status_code == 200
    assert cell.charter_text.splitlines()[0] in text(page)


def test_signing_requires_the_box_and_records_version_and_time(client_for, unsigned_member, cell):
    client = client_for(unsigned_member)
    membership = unsigned_member.memberships.get()
    url = reverse("accounts:charter_sign", kwargs={"pk": membership.pk})

    refused = client.post(url, {})
    assert "Cochez la case pour signer la charte." in text(refused)
    membership.refresh_from_db()
    assert membership.charter_signed_version is None

    response = client.post(url, {"accept": "on"})
    assert response.url == reverse("core:home")
    membership.refresh_from_db()
    assert membership.charter_signed_version == cell.charter_version
    assert membership.charter_signed_at is not None
    assert client.get(reverse("core:home")).status_code == 200


def test_a_new_charter_version_suspends_access_until_signed_again(
    client_for, coordinator, member, cell
):
    coordinator_client = client_for(coordinator)
    response = coordinator_client.post(
        reverse("accounts:charter_edit", kwargs={"pk": cell.pk}),
        {"charter_text": "Nouvelle charte, version 2."},
    )
    own = coordinator.memberships.get(cell=cell)
    assert response.url == reverse("accounts:charter_sign_own", kwargs={"pk": cell.pk})
    assert Cell.objects.get(pk=cell.pk).charter_version == 2

    # Everybody, the author included, must sign version 2 before anything else.
    member_client = client_for(member)
    assert member_client.get(reverse("core:home")).url == reverse(
        "accounts:charter_sign", kwargs={"pk": member.memberships.get(cell=cell).pk}
    )
    assert coordinator_client.get(reverse("core:home")).url == reverse(
        "accounts:charter_sign", kwargs={"pk": own.pk}
    )
    assert not Membership.objects.filter(cell=cell).granting().exists()

    page = member_client.get(
        reverse("accounts:charter_sign", kwargs={"pk": member.memberships.get(cell=cell).pk})
    )
    assert "La charte a changé depuis votre dernière signature" in text(page)
    assert "Nouvelle charte, version 2." in text(page)


def test_unchanged_charter_text_is_refused(client_for, coordinator, cell):
    response = client_for(coordinator).post(
        reverse("accounts:charter_edit", kwargs={"pk": cell.pk}),
        {"charter_text": cell.charter_text},
    )
    assert response.status_code == 200
    assert "Le texte n'a pas changé" in text(response)
    assert Cell.objects.get(pk=cell.pk).charter_version == 1


def test_unsigned_charter_in_one_cell_blocks_the_other_cells_too(client_for, member, other_cell):
    """The gate is per person: every charter first, then any page (no half-signed state)."""
    pending = MembershipFactory(user=member, cell=other_cell, role=Role.MEMBER, unsigned=True)
    response = client_for(member).get(reverse("core:home"))
    assert response.url == reverse("accounts:charter_sign", kwargs={"pk": pending.pk})


def test_profile_and_logout_stay_reachable_before_signing(client_for, unsigned_member):
    client = client_for(unsigned_member)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
