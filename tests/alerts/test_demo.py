import json
from io import StringIO

import pytest
from django.core.management import call_command

from cellule.alerts.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_has_notifications_for_the_bell_once():
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    accounts = json.loads(out.getvalue())["accounts"]
    call_command("seed_demo", stdout=StringIO())
    assert set(json.loads(out.getvalue())) == {"password", "accounts"} and accounts
    unread = set(Notification.objects.unread().values_list("recipient__email", "kind"))
    assert {
        ("coordination.miramas@cellule.test", "new_login"),
        ("coordination.miramas@cellule.test", "signalement_to_qualify"),
        ("coordination.istres@cellule.test", "signalement_to_qualify"),
        ("dpo.miramas@cellule.test", "unusual_reading"),
    } <= unread
    count = Notification.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Notification.objects.count() == count
