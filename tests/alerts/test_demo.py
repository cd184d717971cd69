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
    unread = dict(
        Notification.objects.unread().values_list("recipient__email", "kind").order_by("kind")
    )
    assert unread == {
        "coordination.miramas@cellule.test": "new_login",
        "dpo.miramas@cellule.test": "unusual_reading",
    }
    assert Notification.objects.count() == 3
