"""manage.py create_api_token: the token printed once, the contract of architecture §9."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.api.models import ApiToken
from tests.api.conftest import ApiClient


def test_create_api_token_prints_a_working_token_once(coordinator):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token",
        "--email",
        coordinator.email.upper(),
        "--days",
        "7",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert raw.startswith("cel_") and "\n" not in raw
    token = ApiToken.objects.get(user=coordinator)
    assert token.by_operator
    assert token.expires_at.date() == (timezone.now() + timedelta(days=7)).date()
    assert "Il ne sera plus jamais affiché" in err.getvalue()
    assert raw not in err.getvalue()
    assert ApiClient(raw).get("/api/v1/signalements/mine").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "personne@nulle-part.fr"], "Aucun compte n'a l'adresse"),
        (["--days", "0"], "entre 1 et 365 jours"),
        (["--days", "366"], "entre 1 et 365 jours"),
    ],
)
def test_create_api_token_says_what_is_wrong(coordinator, args, message):
    args = args if "--email" in args else ["--email", coordinator.email, *args]
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_no_token_for_an_account_without_second_factor(member):
    TOTPDevice.objects.filter(user=member).delete()
    with pytest.raises(CommandError, match="double authentification"):
        call_command("create_api_token", "--email", member.email, stdout=StringIO())
