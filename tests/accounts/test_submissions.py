"""A form sent twice is recorded once; the page asks whether the session is open before sending;
a logged-in user's pages are not kept by the browser."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.accounts import submissions
from cellule.accounts.models import FormSubmission
from cellule.alerts import periodic
from cellule.reports.models import Signalement
from tests.conftest import text
from tests.reports.test_filing import valid_data

pytestmark = pytest.mark.django_db


def _send(client, token, **overrides):
    return client.post(reverse("reports:new"), {**valid_data(**overrides), "_envoi": str(token)})


def test_the_same_form_sent_twice_is_recorded_once(client_for, reporter):
    client = client_for(reporter)
    token = uuid.uuid4()
    first = _send(client, token)
    assert first.status_code == 302 and first.url == reverse("reports:mine")

    again = _send(client, token)
    assert again.status_code == 302 and again.url == first.url
    assert Signalement.objects.count() == 1
    page = text(client.get(again.url))
    assert (
        "Ce formulaire avait déjà été envoyé : il n'a pas été enregistré une seconde fois." in page
    )

    _send(client, uuid.uuid4())  # another form (a new visit of the page) is another report
    assert Signalement.objects.count() == 2


def test_a_form_refused_with_errors_can_be_corrected_and_sent(client_for, reporter):
    client = client_for(reporter)
    token = uuid.uuid4()
    refused = _send(client, token, last_name="")
    assert refused.status_code == 200 and "Ce champ est obligatoire" in text(refused)
    assert not FormSubmission.objects.exists()
    assert _send(client, token).status_code == 302
    assert Signalement.objects.count() == 1
    assert FormSubmission.objects.get().location == reverse("reports:mine")


def test_a_token_is_each_users_own(client_for, reporter, cell):
    from cellule.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory

    other = MembershipFactory(cell=cell, role=Role.REPORTER).user
    token = uuid.uuid4()
    _send(client_for(reporter), token)
    _send(client_for(other), token)
    assert Signalement.objects.count() == 2


def test_a_second_sending_while_the_first_is_under_way_waits_then_says_so(
    client_for, reporter, monkeypatch
):
    client = client_for(reporter)
    token = uuid.uuid4()
    FormSubmission.objects.create(user=reporter, token=token, path="/signalements/nouveau/")
    monkeypatch.setattr(submissions, "WAIT_SECONDS", 0)
    response = _send(client, token)
    assert response.status_code == 409
    assert "n'a pas été envoyé une seconde fois" in text(response)
    assert not Signalement.objects.exists()


def test_without_a_token_or_with_a_bad_one_the_form_works_as_before(client_for, reporter):
    client = client_for(reporter)
    assert client.post(reverse("reports:new"), valid_data()).status_code == 302
    assert _send(client, "pas-un-identifiant").status_code == 302
    assert Signalement.objects.count() == 2 and not FormSubmission.objects.exists()


def test_tokens_are_forgotten_after_a_day(reporter):
    old = FormSubmission.objects.create(
        user=reporter, token=uuid.uuid4(), path="/", created_at=timezone.now() - timedelta(hours=25)
    )
    recent = FormSubmission.objects.create(user=reporter, token=uuid.uuid4(), path="/")
    assert periodic.purge(now=timezone.now())["submissions"] == 1
    assert list(FormSubmission.objects.all()) == [recent]
    assert not FormSubmission.objects.filter(pk=old.pk).exists()


def test_the_session_status_answers_json_never_a_redirect(client_for, client, member):
    anonymous = client.get(reverse("accounts:session_status"))
    assert anonymous.status_code == 200 and anonymous.json() == {"active": False}
    logged_in = client_for(member).get(reverse("accounts:session_status"))
    state = logged_in.json()
    assert state["active"] is True and len(state["csrf"]) >= 32


def test_the_session_status_of_a_user_without_second_factor_is_inactive(client, member):
    client.force_login(member)  # password only
    assert client.get(reverse("accounts:session_status")).json() == {"active": False}


def test_a_logged_in_users_pages_are_not_kept_by_the_browser(client_for, client, member):
    page = client_for(member).get(reverse("core:home"))
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    public = client.get(reverse("core:accessibility"))
    assert public.status_code == 200 and "no-store" not in public.get("Cache-Control", "")
