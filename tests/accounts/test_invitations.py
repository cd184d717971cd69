"""Accounts exist only by invitation: single-use links valid 72 hours, stored hashed."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.accounts.models import Invitation, Membership, User
from tests.accounts.factories import PASSWORD, InvitationFactory, OrganisationFactory
from tests.conftest import text

pytestmark = pytest.mark.django_db


def invite(client, cell, org, **overrides):
    data = {
        "email": "Nadia.Martin@ccas-miramas.fr",
        "first_name": "Nadia",
        "last_name": "Martin",
        "organisation": str(org.pk),
        "role": Role.MEMBER,
        **overrides,
    }
    return client.post(reverse("accounts:invitation_create", kwargs={"pk": cell.pk}), data)


def link_from(mail) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", mail.body).group(0)


def test_coordinator_invites_and_the_mail_carries_a_link_but_no_name(
    client_for, coordinator, cell, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(departement=cell.departement)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(coordinator), cell, organisation)
    assert response.url == reverse("accounts:cell_detail", kwargs={"pk": cell.pk})
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "nadia.martin@ccas-miramas.fr",
        Role.MEMBER,
        coordinator,
    )
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Nadia" not in body and "Martin" not in body and cell.name not in body
    token = link_from(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    # Only a keyed hash of the link's secret is stored.
    assert token not in invitation.token_hash and invitation.token_hash not in token


def test_following_the_link_creates_the_account_then_totp_then_charter(
    client_for, coordinator, cell, client, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(departement=cell.departement)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(coordinator), cell, organisation)
    link = link_from(mailoutbox[0])

    page = client.get(link)
    assert "Créer votre accès" in text(page)
    weak = client.post(link, {"new_password1": "123456789012", "new_password2": "123456789012"})
    assert "entièrement numérique" in text(weak)
    assert not User.objects.filter(email="nadia.martin@ccas-miramas.fr").exists()

    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.url == reverse("accounts:otp_setup")
    user = User.objects.get(email="nadia.martin@ccas-miramas.fr")
    assert (user.first_name, user.organisation) == ("Nadia", organisation)
    membership = Membership.objects.get(user=user, cell=cell)
    assert membership.role == Role.MEMBER and not membership.charter_is_signed

    # Second factor first, nothing else reachable.
    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:otp_setup"))

    # The link is single-use.
    again = client.get(link)
    assert again.status_code == 410
    assert "Invitation déjà utilisée" in text(again)


def test_expired_link_explains_and_lets_the_invitee_ask_for_a_new_one(
    client, coordinator, cell, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(cell=cell, invited_by=coordinator)
    from django.core import signing

    from cellule.accounts.invitations import SALT

    token = signing.TimestampSigner(salt=SALT).sign("secret-inconnu")
    assert (
        client.get(reverse("accounts:invitation_accept", kwargs={"token": token})).status_code
        == 404
    )

    with time_machine.travel(timezone.now() + timezone.timedelta(hours=73)):
        from cellule.accounts import invitations

        token = _token_for(invitation)
        url = reverse("accounts:invitation_accept", kwargs={"token": token})
        page = client.get(url)
        assert page.status_code == 410
        assert "Invitation expirée" in text(page)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:invitation_renewal", kwargs={"token": token}))
        assert invitations.check_token(token).state == "expired"
    invitation.refresh_from_db()
    assert invitation.renewal_requested_at is not None
    assert mailoutbox[0].to == [coordinator.email]
    assert invitation.first_name not in mailoutbox[0].body


def _token_for(invitation):
    """A valid signed link for an invitation made by the factory (its secret is known)."""
    from django.core import signing

    from cellule.accounts.invitations import SALT
    from cellule.accounts.security import digest

    number = re.search(r"\d+", invitation.email).group(0)
    secret = f"secret-de-test-{number}"
    assert digest(secret, purpose="invitation") == invitation.token_hash
    return signing.TimestampSigner(salt=SALT).sign(secret)


def test_resending_replaces_the_link(
    client_for, coordinator, cell, client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(cell=cell, invited_by=coordinator)
    old_token = _token_for(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            reverse("accounts:invitation_resend", kwargs={"pk": invitation.pk})
        )
    assert (
        client.get(reverse("accounts:invitation_accept", kwargs={"token": old_token})).status_code
        == 404
    )
    assert client.get(link_from(mailoutbox[0])).status_code == 200


def test_revoking_asks_first_and_kills_the_link(client_for, coordinator, cell, client):
    invitation = InvitationFactory(cell=cell, invited_by=coordinator)
    token = _token_for(invitation)
    coordinator_client = client_for(coordinator)
    url = reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk})
    assert "Le lien envoyé ne fonctionnera plus" in text(coordinator_client.get(url))
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    coordinator_client.post(url)
    page = client.get(reverse("accounts:invitation_accept", kwargs={"token": token}))
    assert page.status_code == 410 and "Invitation annulée" in text(page)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
        ({"first_name": ""}, "Ce champ est obligatoire."),
        ({"role": Role.GUEST}, "Sélectionnez un choix valide."),
        ({"organisation": "00000000-0000-0000-0000-000000000000"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_invitation_input_is_refused_in_french(
    client_for, coordinator, cell, overrides, message
):
    organisation = OrganisationFactory(departement=cell.departement)
    response = invite(client_for(coordinator), cell, organisation, **overrides)
    assert response.status_code == 200
    assert message in text(response)
    assert not Invitation.objects.exists()


def test_inviting_a_current_member_or_twice_is_refused(client_for, coordinator, member, cell):
    organisation = OrganisationFactory(departement=cell.departement)
    client = client_for(coordinator)
    response = invite(client, cell, organisation, email=member.email)
    assert "déjà habilitée dans la cellule" in text(response)
    invite(client, cell, organisation)
    response = invite(client, cell, organisation)
    assert "Une invitation est déjà en attente" in text(response)
    assert Invitation.objects.count() == 1


def test_administrator_invites_only_coordinators(client_for, admin_user, cell):
    organisation = OrganisationFactory(departement=cell.departement)
    client = client_for(admin_user)
    refused = invite(client, cell, organisation, role=Role.MEMBER)
    assert "Sélectionnez un choix valide." in text(refused)
    response = invite(client, cell, organisation, role=Role.COORDINATOR)
    assert response.url == reverse("core:home")
    assert Invitation.objects.get().role == Role.COORDINATOR


def test_existing_account_accepts_once_logged_in(client_for, member, other_cell, coordinator):
    invitation = InvitationFactory(cell=other_cell, email=member.email, role=Role.REPORTER)
    token = _token_for_email(invitation)
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    from django.test import Client

    assert "connectez-vous pour accepter" in text(Client().get(url))
    assert "adressée à un autre compte" in text(client_for(coordinator).get(url))

    response = client_for(member).post(url)
    assert response.url == reverse("core:home")
    assert Membership.objects.filter(user=member, cell=other_cell, role=Role.REPORTER).exists()


def _token_for_email(invitation):
    from django.core import signing

    from cellule.accounts.invitations import SALT
    from cellule.accounts.security import digest

    secret = "secret-choisi"
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=digest(secret, purpose="invitation")
    )
    return signing.TimestampSigner(salt=SALT).sign(secret)


# --- Bulk invitation ---------------------------------------------------------------------------


def upload(client, cell, content: bytes, name="invitations.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("accounts:invitation_bulk", kwargs={"pk": cell.pk}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_bulk_invitation_creates_all_lines(
    client_for, coordinator, cell, mailoutbox, django_capture_on_commit_callbacks
):
    OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    content = (
        "email;prénom;nom;organisation;rôle\n"
        "a.durand@ccas.fr;Anne;Durand;CCAS de Miramas;membre partenaire\n"
        "b.petit@ccas.fr;Bruno;Petit;ccas de miramas;reporter\n"
    ).encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(coordinator), cell, content)
    assert response.url == reverse("accounts:cell_detail", kwargs={"pk": cell.pk})
    assert set(Invitation.objects.values_list("email", "role")) == {
        ("a.durand@ccas.fr", Role.MEMBER),
        ("b.petit@ccas.fr", Role.REPORTER),
    }
    assert len(mailoutbox) == 2


def test_bulk_invitation_reports_each_bad_line_and_creates_nothing(
    client_for, coordinator, member, cell, mailoutbox
):
    OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    content = (
        "email,prénom,nom,organisation,rôle\n"
        "ok@ccas.fr,Anne,Durand,CCAS de Miramas,membre partenaire\n"
        "pas-une-adresse,Bruno,Petit,CCAS de Miramas,membre partenaire\n"
        "c@ccas.fr,,Petit,Mairie inconnue,chef\n"
        f"{member.email},Déjà,Là,CCAS de Miramas,membre partenaire\n"
        "ok@ccas.fr,Anne,Durand,CCAS de Miramas,membre partenaire\n"
    ).encode()
    response = upload(client_for(coordinator), cell, content)
    page = text(response)
    assert "Aucune invitation envoyée : 4 lignes à corriger" in page
    assert "Ligne 3 : Adresse électronique non valide « pas-une-adresse »." in page
    assert (
        "Ligne 4 : Prénom et nom obligatoires ; organisation inconnue « Mairie inconnue » ; rôle inconnu « chef »."
        in page
    )
    assert "Ligne 5 : Cette personne est déjà habilitée dans la cellule." in page
    assert "Ligne 6 : Adresse en double dans le fichier." in page
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "vide.csv", "Le fichier soumis est vide."),
        (b"nom;prenom\nDurand;Anne\n", "a.csv", "En-tête incomplet"),
        (b"email;prenom;nom;organisation;role\n", "a.csv", "aucune ligne après l'en-tête"),
        (b"\x89PNG\r\n", "photo.png", "Le fichier doit être au format CSV"),
        (b"x" * 200_001, "gros.csv", "Le fichier dépasse 200 ko"),
    ],
)
def test_bulk_invitation_refuses_unreadable_files(
    client_for, coordinator, cell, content, name, message
):
    response = upload(client_for(coordinator), cell, content, name=name)
    assert response.status_code == 200
    assert message in text(response)
    assert not Invitation.objects.exists()


def test_cell_page_lists_open_invitations_for_the_coordinator_only(
    client_for, coordinator, member, cell
):
    InvitationFactory(cell=cell, invited_by=coordinator, email="attente@exemple.test")
    InvitationFactory(cell=cell, invited_by=coordinator, email="expiree@exemple.test", expired=True)
    InvitationFactory(
        cell=cell, invited_by=coordinator, email="acceptee@exemple.test", accepted_at=timezone.now()
    )
    page = text(
        client_for(coordinator).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    )
    assert "attente@exemple.test" in page and "expiree@exemple.test" in page
    assert "acceptee@exemple.test" not in page
    assert "attente@exemple.test" not in text(
        client_for(member).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    )
