"""Information nominative du préfet au maire: blocked until both approvals, seen by its named
recipients only (in every page, list, count and notification), read receipts, expiry."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.exchanges import services
from cellule.exchanges.models import Recipient, Transmission
from cellule.journal.models import AuditEvent
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.exchanges.factories import approve, state_information, transmit

pytestmark = pytest.mark.django_db

CANARY = "Xqzorblatt"
SECRET = "Candidat au poste d'animateur périscolaire : avis défavorable des services."


@pytest.fixture
def information(world, prefecture, referent):
    """Addressed to the mayor (the world's president) alone."""
    return state_information(world.cell, by=referent, last_name=CANARY, text=SECRET)


def test_it_cannot_leave_before_both_approvals(world, prefecture, referent, president):
    draft = state_information(world.cell, by=referent, approved=False, sent=False, last_name=CANARY)
    with pytest.raises(ValidationError, match="services de sécurité intérieure, procureur"):
        services.send_state_information(transmission=draft, by=referent)
    approve(draft, by=referent, authorities=["security_services"])
    with pytest.raises(ValidationError, match="il manque : procureur de la république"):
        services.send_state_information(transmission=draft, by=referent)
    assert not Transmission.objects.visible_to(president).exists()
    approve(draft, by=referent, authorities=["procureur"])
    services.send_state_information(transmission=draft, by=referent)
    draft.refresh_from_db()
    assert draft.sent_at is not None and draft.expires_at > timezone.now()
    assert list(Transmission.objects.visible_to(president)) == [draft]


def test_the_approvals_are_recorded_with_date_and_reference_through_the_page(
    world, prefecture, referent, client_for
):
    draft = state_information(world.cell, by=referent, approved=False, sent=False)
    client = client_for(referent)
    page = text(client.get(reverse("exchanges:detail", args=[draft.pk])))
    assert "Confidentiel — charte" in page and "après les deux accords" in page
    missing = client.post(
        reverse("exchanges:approval", args=[draft.pk]),
        {"which": "procureur", "procureur-given_on": "", "procureur-reference": ""},
    )
    assert missing.status_code == 200 and not draft.approvals.exists()
    for authority in ("security_services", "procureur"):
        response = client.post(
            reverse("exchanges:approval", args=[draft.pk]),
            {
                "which": authority,
                f"{authority}-given_on": timezone.localdate().isoformat(),
                f"{authority}-reference": f"{authority}/2026/12",
            },
        )
        assert response.status_code == 302
    approval = draft.approvals.get(authority="procureur")
    assert (approval.reference, approval.recorded_by) == ("procureur/2026/12", referent)
    assert "Envoyer aux destinataires" in text(
        client.get(reverse("exchanges:detail", args=[draft.pk]))
    )
    client.post(reverse("exchanges:send", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.sent_by == referent


def test_sending_requires_a_fresh_authentication(world, prefecture, referent, client):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    draft = state_information(world.cell, by=referent, sent=False)
    client.force_login(referent)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=referent).persistent_id
    session.save()
    response = client.post(reverse("exchanges:send", args=[draft.pk]))
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    draft.refresh_from_db()
    assert draft.sent_at is None


def test_only_the_prefecture_writes_one_and_only_to_the_mayor_and_coordinator(
    world, prefecture, referent, coordinator, police_liaison
):
    content = services.InformationContent(last_name="A", first_name="B", text="C")
    with pytest.raises(PermissionDenied):
        services.create_state_information(
            from_cell=world.cell,
            to_cell=world.cell,
            case="municipal_agent",
            content=content,
            by=coordinator,
        )
    with pytest.raises(PermissionDenied):
        services.create_state_information(
            from_cell=prefecture,
            to_cell=world.cell,
            case="municipal_agent",
            content=content,
            by=police_liaison,
        )
    with pytest.raises(ValidationError, match="cellule communale"):
        services.create_state_information(
            from_cell=prefecture,
            to_cell=prefecture,
            case="municipal_agent",
            content=content,
            by=referent,
        )
    with_coordinator = services.create_state_information(
        from_cell=prefecture,
        to_cell=world.cell,
        case="supported_person",
        content=content,
        include_coordinator=True,
        by=referent,
    )
    named = set(with_coordinator.recipients.values_list("user_id", flat=True))
    assert named == {world.actors["president"].pk, coordinator.pk}


def test_the_form_of_the_prefecture(world, prefecture, referent, client_for):
    client = client_for(referent)
    assert client.get(reverse("exchanges:information_new")).status_code == 200
    response = client.post(
        reverse("exchanges:information_new"),
        {
            "to_cell": str(world.cell.pk),
            "case": "municipal_agent",
            "last_name": CANARY,
            "first_name": "Wyvernelle",
            "text": SECRET,
            "validity_days": "30",
        },
    )
    information = Transmission.objects.get(kind="state_information")
    assert response.url == reverse("exchanges:detail", args=[information.pk])
    assert information.validity_days == 30 and information.sent_at is None
    assert information.snapshot["text"] == SECRET
    assert list(information.recipients.values_list("user_id", flat=True)) == [
        world.actors["president"].pk
    ]


def test_a_commune_cannot_open_the_form(world, coordinator, president, client_for):
    for user in (coordinator, president):
        assert client_for(user).get(reverse("exchanges:information_new")).status_code == 403


def test_the_named_mayor_reads_it_with_a_receipt_and_no_way_to_print_or_export(
    information, world, referent, client_for
):
    president = world.actors["president"]
    response = client_for(president).get(reverse("exchanges:detail", args=[information.pk]))
    page = text(response)
    assert CANARY in page and SECRET in page and "Confidentiel — charte" in page
    assert "cellule-no-print" in page and "ni exportable ni imprimable" in page
    assert "no-store" in response["Cache-Control"]
    abilities = information.abilities(president)
    assert not abilities["export"] and not abilities["print"]
    receipt = Recipient.objects.get(transmission=information, user=president)
    assert receipt.read_at is not None
    first = receipt.read_at
    client_for(president).get(reverse("exchanges:detail", args=[information.pk]))
    receipt.refresh_from_db()
    assert receipt.read_at == first
    sender_page = text(client_for(referent).get(reverse("exchanges:detail", args=[information.pk])))
    assert f"lue le {timezone.localtime(first):%d/%m/%Y}" in sender_page
    assert AuditEvent.objects.filter(
        actor_id=president.pk,
        action="record_viewed",
        target_id=str(information.pk),
        cell_id=world.cell.pk,
    ).exists()


def test_nobody_else_in_the_commune_sees_it_in_any_page_list_count_or_notification(
    world, prefecture, referent, police_liaison, client_for
):
    """The coordinator (not named), the members, the state delegate: no trace anywhere."""
    coordinator = world.actors["coordinator"]
    situation = open_situation(world.cell, by=coordinator, last_name="Lefèvre")
    report = transmit(situation, by=coordinator)
    information = state_information(
        world.cell,
        by=referent,
        last_name=CANARY,
        text=SECRET,
        reply_to=report,
        case="report_feedback",
    )
    president = world.actors["president"]
    assert Notification.objects.filter(kind="state_information_received").get().recipient == (
        president
    )
    pages = [
        reverse("core:home"),
        reverse("exchanges:list"),
        reverse("cases:detail", args=[situation.pk]),
        reverse("alerts:list"),
        reverse("exchanges:detail", args=[report.pk]),
    ]
    others = [
        world.actors[name]
        for name in (
            "coordinator",
            "member",
            "state_delegate",
            "reporter",
            "guest",
            "dpo",
            "outsider",
        )
    ] + [police_liaison]
    for user in others:
        client = client_for(user)
        assert Transmission.objects.visible_to(user).filter(pk=information.pk).count() == 0
        assert not Notification.objects.filter(recipient=user, target_id=str(information.pk))
        for url in pages:
            page = text(client.get(url))
            assert CANARY not in page and SECRET not in page, (user, url)
            assert information.reference not in page, (user, url)
            assert "Information confidentielle du préfet" not in page, (user, url)
            assert "confidentielle du préfet vous" not in page, (user, url)
        for name, method, data in (
            ("exchanges:detail", "get", {}),
            ("exchanges:approval", "post", {"which": "procureur"}),
            ("exchanges:send", "post", {}),
        ):
            response = getattr(client, method)(reverse(name, args=[information.pk]), data)
            assert response.status_code == 404, (user, name)
    # The API's chronology of the situation: the same rule.
    for user, shown in ((coordinator, False), (president, True)):
        entries = _api_timeline(user, situation)
        titles = [entry["title"] for entry in entries]
        assert any("Signalement transmis à la préfecture" in t for t in titles)
        assert any("Information confidentielle du préfet" in t for t in titles) is shown
        assert SECRET not in str(entries) and CANARY not in str(entries)
    # The mayor sees it in the situation's chronology, without its content there.
    timeline = text(client_for(president).get(reverse("cases:detail", args=[situation.pk])))
    assert "Information confidentielle du préfet, qui vous est adressée" in timeline
    assert SECRET not in timeline
    home = text(client_for(president).get(reverse("core:home")))
    assert "1 information confidentielle du préfet vous est adressée" in home


def _api_timeline(user, situation) -> list:
    from django.test import Client

    from cellule.api import tokens

    token = tokens.create_token(user=user, name="Logiciel de test", days=None, by=user)[1]
    response = Client().get(
        reverse("api:situation_timeline", kwargs={"situation_id": situation.pk}),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()


def test_a_draft_is_not_seen_by_its_recipients(world, prefecture, referent, client_for):
    draft = state_information(world.cell, by=referent, sent=False)
    president = world.actors["president"]
    assert (
        client_for(president).get(reverse("exchanges:detail", args=[draft.pk])).status_code == 404
    )
    assert not Notification.objects.filter(kind="state_information_received").exists()


def test_a_named_coordinator_sees_it_too(world, prefecture, referent, client_for):
    information = state_information(world.cell, by=referent, include_coordinator=True)
    coordinator = world.actors["coordinator"]
    assert (
        client_for(coordinator).get(reverse("exchanges:detail", args=[information.pk])).status_code
        == 200
    )


def test_a_recipient_whose_habilitation_ended_no_longer_sees_it(
    world, prefecture, referent, client_for
):
    information = state_information(world.cell, by=referent)
    president = world.actors["president"]
    president.memberships.update(ended_at=timezone.now())
    president = type(president).objects.get(pk=president.pk)
    assert not Transmission.objects.visible_to(president).filter(pk=information.pk).exists()


def test_at_expiry_its_content_is_erased(information, world, referent, client_for):
    from cellule.exchanges.reminders import erase_expired

    president = world.actors["president"]
    later = information.expires_at + timedelta(minutes=1)
    with time_machine.travel(later):
        page = text(client_for(president).get(reverse("exchanges:detail", args=[information.pk])))
        assert SECRET not in page and "effacé définitivement" in page
        assert erase_expired(now=later) == 1
        assert erase_expired(now=later) == 0
    stored = Transmission.objects.select_related("key").get(pk=information.pk)
    assert stored.key.wrapped_key is None and stored.key.destroyed_at is not None
    erased = AuditEvent.objects.filter(action="record_erased", target_id=str(information.pk))
    assert set(erased.values_list("cell_id", flat=True)) == {
        world.cell.pk,
        information.from_cell_id,
    }
    page = text(client_for(referent).get(reverse("exchanges:detail", args=[information.pk])))
    assert SECRET not in page and CANARY not in page


def test_run_periodic_leaves_nothing_readable_after_expiry(information, world, client_for):
    with time_machine.travel(information.expires_at + timedelta(minutes=1)):
        call_command("run_periodic")
    stored = Transmission.objects.select_related("key").filter(pk=information.pk).first()
    # Erased by its key (exchanges), or its row deleted by the retention rules (privacy).
    assert stored is None or stored.key.wrapped_key is None
