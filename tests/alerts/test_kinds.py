"""Every kind of the issue exists, and none lets a name, a birth date, an address or a report's
content reach a notification or an e-mail — checked with canaries in the data."""

from datetime import date

import pytest

from cellule.alerts.emails import render_digest, send_due_emails
from cellule.alerts.enums import Delivery
from cellule.alerts.kinds import KINDS, get_kind
from cellule.alerts.models import Notification
from cellule.alerts.services import notify
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

ISSUE_KINDS = {
    "signalement_to_qualify",
    "qualification_overdue",
    "situation_review_due",
    "situation_review_overdue",
    "seance_convened",
    "seance_agenda_changed",
    "seance_minutes_available",
    "transmission_received",
    "feedback_due",
    "feedback_overdue",
    "feedback_received",
    "state_information_received",
    "situation_opened",
    "measure_proposed",
    "new_login",
    "two_factor_changed",
    "password_changed",
    "unusual_reading",
    "retention_due",  # privacy issue: records due for deletion, 30 days ahead
}
SECURITY = {"new_login", "two_factor_changed", "password_changed"}

CANARY_LAST = "Xqzorblatt"
CANARY_FIRST = "Wyvernelle"
CANARY_STREET = "impasse Quokkabruine"
CANARY_BIRTH = date(1987, 3, 14)
CANARY_STAFF = "Zanzibarovitch"


def test_every_kind_of_the_issue_is_defined_with_french_words():
    assert set(KINDS) == ISSUE_KINDS
    for kind in KINDS.values():
        assert kind.label and kind.text.endswith(".")
        assert kind.default in Delivery.values


def test_account_security_cannot_be_turned_off_and_is_at_least_immediate():
    for code in SECURITY | {"unusual_reading"}:
        kind = get_kind(code)
        assert not kind.optional
        assert kind.default == Delivery.IMMEDIATE
        assert kind.choices == [(Delivery.IMMEDIATE, Delivery.IMMEDIATE.label)]
    assert all(KINDS[code].optional for code in ISSUE_KINDS - SECURITY - {"unusual_reading"})


def test_an_unknown_kind_is_refused(coordinator):
    with pytest.raises(ValueError, match="inconnu"):
        notify(kind="rumeur", recipients=[coordinator], key="x")


@pytest.fixture
def canary_world(cell):
    """A person with canary identity, a recipient with a canary name, in a canary-named place."""
    person = PersonFactory(
        cell=cell,
        last_name=CANARY_LAST,
        first_name=CANARY_FIRST,
        birth_date=CANARY_BIRTH,
        address=f"4 {CANARY_STREET}",
    )
    recipient = MembershipFactory(
        cell=cell, user=UserFactory(last_name=CANARY_STAFF, first_name=CANARY_FIRST)
    ).user
    return person, recipient


def leaks(text: str) -> list[str]:
    canaries = [
        CANARY_LAST,
        CANARY_FIRST,
        "Quokkabruine",
        CANARY_STAFF,
        "14/03/1987",
        "1987-03-14",
        "14 mars 1987",
    ]
    return [canary for canary in canaries if canary.lower() in text.lower()]


@pytest.mark.parametrize("code", sorted(ISSUE_KINDS))
def test_no_kind_puts_personal_data_in_the_notification_or_its_email(
    code, canary_world, cell, mailoutbox
):
    person, recipient = canary_world
    (notification,) = notify(
        kind=code, recipients=[recipient], cell=cell, target=person, key="canari"
    )
    assert notification.text == get_kind(code).text
    assert leaks(notification.text) == []
    # Whatever the preference, the e-mail is the generic one: send it at once to read it.
    if notification.delivery != Delivery.IMMEDIATE:
        from cellule.alerts.services import queue_emails

        queue_emails([notification])
    send_due_emails()
    (email,) = mailoutbox
    assert email.to == [recipient.email]
    assert leaks(email.subject) == [] and leaks(email.body) == []
    assert f"/notifications/{notification.pk}/" in email.body
    assert email.body.startswith("Bonjour,\n")
    # The reference is kept, never the content.
    stored = Notification.objects.filter(pk=notification.pk).values().get()
    assert leaks(" ".join(str(value) for value in stored.values())) == []


def test_the_digest_says_how_many_and_nothing_else():
    subject, body = render_digest(3)
    assert subject == "3 nouvelles alertes dans Cellule"
    assert "3 nouvelles alertes dans Cellule" in body
    assert render_digest(1)[0] == "1 nouvelle alerte dans Cellule"
