"""The notification centre: the bell, the list, opening, marking read, « Gestion de vos alertes »."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.enums import Delivery
from cellule.alerts.models import Notification
from cellule.alerts.services import notify
from tests.conftest import text

pytestmark = pytest.mark.django_db


def make(user, count, kind="transmission_received", **kwargs):
    for index in range(count):
        notify(kind=kind, recipients=[user], key=f"{kind}-{index}", **kwargs)


def test_the_bell_shows_the_unread_count_with_an_accessible_label(client_for, coordinator):
    client = client_for(coordinator)
    page = text(client.get(reverse("core:home")))
    assert "fr-icon-notification-3-line" in page
    assert 'aria-label="Notifications, aucune non lue"' in page

    make(coordinator, 3)
    page = text(client.get(reverse("core:home")))
    assert 'aria-label="Notifications, 3 non lues"' in page
    assert f'href="{reverse("alerts:list")}"' in page


def test_the_bell_waits_for_the_second_factor(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("accounts:otp_verify"))
    assert "fr-icon-notification-3-line" not in text(response)


def test_the_list_shows_ones_own_newest_first_with_a_filter(client_for, coordinator, member):
    notify(kind="transmission_received", recipients=[coordinator], key="old")
    Notification.objects.update(created_at=timezone.now() - timezone.timedelta(days=2))
    notify(kind="feedback_overdue", recipients=[coordinator], key="new")
    notify(kind="seance_convened", recipients=[member], key="theirs")
    client = client_for(coordinator)

    response = client.get(reverse("alerts:list"))
    assert [n.kind for n in response.context["notifications"]] == [
        "feedback_overdue",
        "transmission_received",
    ]
    assert response.context["page"].paginator.count == 2  # not the member's

    filtered = client.get(reverse("alerts:list"), {"kind": "transmission_received"})
    assert [n.kind for n in filtered.context["notifications"]] == ["transmission_received"]


def test_the_list_is_paginated_with_bounded_queries(
    client_for, coordinator, django_assert_max_num_queries
):
    make(coordinator, 45)
    client = client_for(coordinator)
    client.get(reverse("alerts:list"))
    # Session, user, device, roles, kinds, count, page, DSFR, memberships, bell: 10 today.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("alerts:list"), {"page": 3})
    assert len(response.context["notifications"]) == 5
    assert "Page 3 sur 3" in text(response)


def test_the_empty_list_says_what_will_appear_here(client_for, coordinator):
    page = text(client_for(coordinator).get(reverse("alerts:list")))
    assert "Aucune notification pour l'instant" in page
    assert "Nouveau signalement à qualifier" in page
    assert "Connexion depuis un nouvel appareil" in page


def test_a_reporter_is_told_only_of_their_own_kinds(client_for, reporter):
    page = text(client_for(reporter).get(reverse("alerts:list")))
    assert "Mot de passe modifié" in page
    assert "Transmission reçue" not in page


def test_opening_marks_read_and_leads_to_the_object_page(client_for, member, cell):
    (notification,) = notify(
        kind="seance_agenda_changed", recipients=[member], cell=cell, target=cell, key="c"
    )
    client = client_for(member)
    response = client.get(reverse("alerts:open", kwargs={"pk": notification.pk}))
    assert response.url == reverse("accounts:cell_detail", kwargs={"pk": cell.pk})
    assert client.get(response.url).status_code == 200
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_shows_no_more_than_its_object_once_access_is_gone(client_for, member, cell):
    (notification,) = notify(
        kind="seance_agenda_changed", recipients=[member], cell=cell, target=cell, key="c"
    )
    member.memberships.update(ended_at=timezone.now())
    response = client_for(member).get(
        reverse("alerts:open", kwargs={"pk": notification.pk}), follow=True
    )
    assert response.status_code == 404  # the cell page's own answer


def test_a_target_without_a_page_is_a_404(client_for, coordinator):
    (notification,) = notify(
        kind="transmission_received",
        recipients=[coordinator],
        target=("exemple.sans_page", "0b0e7c1e-0000-4000-8000-000000000000"),
        key="t",
    )
    response = client_for(coordinator).get(reverse("alerts:open", kwargs={"pk": notification.pk}))
    assert response.status_code == 404


def test_the_dpo_alert_leads_to_the_filtered_journal(client_for, dpo, member):
    (notification,) = notify(
        kind="unusual_reading", recipients=[dpo], target=("accounts.user", member.pk), key="j"
    )
    response = client_for(dpo).get(reverse("alerts:open", kwargs={"pk": notification.pk}))
    assert response.url == f"{reverse('journal:list')}?action=unusual_reading&target={member.pk}"
    assert client_for(dpo).get(response.url).status_code == 200


def test_nobody_opens_or_marks_another_users_notification(client_for, coordinator, member):
    (notification,) = notify(kind="transmission_received", recipients=[coordinator], key="t")
    client = client_for(member)
    assert client.get(reverse("alerts:open", kwargs={"pk": notification.pk})).status_code == 404
    response = client.post(reverse("alerts:mark_read", kwargs={"pk": notification.pk}))
    assert response.status_code == 404
    client.post(reverse("alerts:mark_all_read"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_one_then_all_read(client_for, coordinator):
    make(coordinator, 2)
    make(coordinator, 1, kind="feedback_overdue")
    client = client_for(coordinator)
    first = Notification.objects.filter(kind="transmission_received").first()
    response = client.post(
        reverse("alerts:mark_read", kwargs={"pk": first.pk}), {"next": "https://ailleurs.test/"}
    )
    assert response.url == reverse("alerts:list")
    assert Notification.objects.unread().count() == 2

    client.post(reverse("alerts:mark_all_read"), {"kind": "feedback_overdue"})
    assert list(Notification.objects.unread().values_list("kind", flat=True)) == [
        "transmission_received"
    ]
    response = client.post(reverse("alerts:mark_all_read"), follow=True)
    assert not Notification.objects.unread().exists()
    assert "1 notification marquée comme lue." in text(response)


def test_preferences_are_linked_from_the_profile_and_saved(client_for, coordinator):
    client = client_for(coordinator)
    assert reverse("alerts:preferences") in text(client.get(reverse("accounts:profile")))
    page = client.get(reverse("alerts:preferences"))
    assert "Gestion de vos alertes" in text(page)
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["transmission_received"] = Delivery.DIGEST
    data["password_changed"] = Delivery.APP_ONLY  # not a field: ignored
    response = client.post(reverse("alerts:preferences"), data)
    assert response.status_code == 302
    saved = dict(coordinator.notification_preferences.values_list("kind", "delivery"))
    assert saved["transmission_received"] == Delivery.DIGEST
    assert "password_changed" not in saved
    page = text(client.get(reverse("alerts:preferences")))
    assert "ne peuvent pas être désactivées" in page


def test_preferences_show_each_role_its_kinds(client_for, reporter, dpo):
    reporter_page = client_for(reporter).get(reverse("alerts:preferences"))
    assert list(reporter_page.context["form"].fields) == []
    assert "Mot de passe modifié" in text(reporter_page)
    dpo_page = text(client_for(dpo).get(reverse("alerts:preferences")))
    assert "Lectures inhabituellement nombreuses" in dpo_page
