"""What people do to forms, in a real browser: a double click, the back button after sending, a
session that expires while they type, two tabs on the same séance. Each time nothing is recorded
twice, nothing typed is lost, and the page says what happened."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cellule.meetings.enums import Attendance
from cellule.meetings.models import Decision
from cellule.meetings.services import record_attendance
from cellule.reports.models import Signalement
from tests.browser.test_invitation_journey import log_in
from tests.cases.factories import open_situation
from tests.meetings.factories import attendee, started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Ne vient plus au club depuis trois semaines ; reste seul à la sortie du collège."


def _fill_signalement(page, base_url=None, text=TEXT):
    """Fills the fiche; opens it first when given the server's address."""
    if base_url:
        page.goto(f"{base_url}/signalements/nouveau/")
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    page.locator("#id_last_name").fill("Marchetti")
    page.locator("#id_first_name").fill("Lou")
    page.locator("#id_approximate_age").fill("15")
    page.locator("#id_observed_on").fill(day)
    page.locator("#id_source_category").select_option(label="Club sportif ou association")
    item = page.locator(".cellule-indicator", has_text="Repli sur soi, isolement marqué")
    item.locator("label.fr-label").first.click()
    item.locator("input[type=date]").fill(day)
    page.locator("#id_text").fill(text)


def test_a_double_click_files_one_signalement(page, live_server, reporter):
    log_in(page, live_server.url, reporter)
    _fill_signalement(page, live_server.url)
    page.get_by_role("button", name="Envoyer le signalement").dblclick()
    expect(page.locator("h1")).to_have_text("Mes signalements")
    assert Signalement.objects.count() == 1
    assert not page.console_errors, page.console_errors


def test_the_same_form_sent_again_after_the_back_button_is_not_recorded_twice(
    page, live_server, reporter
):
    log_in(page, live_server.url, reporter)
    _fill_signalement(page, live_server.url)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("h1")).to_have_text("Mes signalements")

    page.go_back()
    expect(page.locator("h1")).to_contain_text("signalement")
    # Whatever the browser restored of the form, sending it again records nothing more.
    if not page.locator("#id_last_name").input_value():
        _fill_signalement(page)  # the same page, filled in again
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("h1")).to_have_text("Mes signalements")
    expect(page.locator("main")).to_contain_text(
        "Ce formulaire avait déjà été envoyé : il n'a pas été enregistré une seconde fois."
    )
    assert Signalement.objects.count() == 1

    # A new visit of the form is a new signalement.
    page.get_by_role("link", name="Signaler").first.click()
    _fill_signalement(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("h1")).to_have_text("Mes signalements")
    assert Signalement.objects.count() == 2


def test_an_expired_session_keeps_what_was_typed(page, live_server, reporter, settings):
    settings.CELLULE_SESSION_IDLE_SECONDS = 4
    log_in(page, live_server.url, reporter)
    _fill_signalement(page, live_server.url)

    # Past the idle limit the page does not reload: what was typed stays, and the page says so.
    expired = page.locator("#cellule-session-expired")
    expect(expired).to_be_visible(timeout=15_000)
    expect(expired).to_contain_text("Ce que vous avez saisi est conservé sur cette page")
    assert page.locator("#id_text").input_value() == TEXT

    # Sending now does not lose it either: the form stays, the alert says how to go on. The page
    # asks the server first, which ends the idle session (and sends to the login page); that must
    # be done before the limit is raised below, or the server, asked later, finds it still open.
    with page.expect_response(lambda response: "/session/etat/" in response.url) as asked:
        page.get_by_role("button", name="Envoyer le signalement").click()
    assert asked.value.status == 302
    expect(expired).to_be_visible()
    assert page.locator("#id_text").input_value() == TEXT
    assert not Signalement.objects.exists()

    # Logged in again in another tab (as the alert's link offers), then back to the form.
    settings.CELLULE_SESSION_IDLE_SECONDS = 30 * 60
    with page.context.expect_page() as opened:
        expired.get_by_role("link", name=re.compile("Reconnectez-vous")).click()
    other = opened.value
    TOTPDevice.objects.filter(user=reporter).update(last_t=-1)  # the same 30-second step again
    log_in(other, live_server.url, reporter)
    expect(other.locator("h1")).to_contain_text("Bonjour")
    other.close()

    page.bring_to_front()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("h1")).to_have_text("Mes signalements")
    filed = Signalement.objects.get()
    assert filed.reporter == reporter and TEXT in filed.text


def _started_with_everyone_present(cell, members, *, by):
    seance = started(cell, members=members)
    for user in members:
        record_attendance(attendee=attendee(seance, user), attendance=Attendance.PRESENT, by=by)
    return seance


def test_two_tabs_on_the_same_seance(browser, live_server, cell, coordinator, member):
    situation = open_situation(cell, by=coordinator, last_name="Vasseur", first_name="Enzo")
    seance = _started_with_everyone_present(cell, [coordinator, member], by=coordinator)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(10_000)
    first = context.new_page()
    log_in(first, live_server.url, coordinator)
    room = f"{live_server.url}/seances/{seance.pk}/salle/"
    first.goto(room)
    second = context.new_page()
    second.goto(room)

    def decide(page, text):
        point = page.locator("article", has_text="Vasseur")
        point.locator("select[name$='-kind']").select_option(label="Poursuivre l'accompagnement")
        point.locator("textarea[name$='-text']").fill(text)
        point.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        return point

    expect(decide(first, "Poursuivre avec la mission locale.")).to_contain_text(
        "Décision enregistrée"
    )
    late = decide(second, "Orienter vers le CCAS.")
    status = late.locator(".cellule-save-status")
    expect(status).to_contain_text("Une décision a déjà été enregistrée pour ce point")
    assert late.locator("textarea[name$='-text']").input_value() == "Orienter vers le CCAS."
    assert Decision.objects.get(item__situation=situation).kind == "continue"
    second.reload()
    expect(second.locator("article", has_text="Vasseur")).to_contain_text(
        "Poursuivre avec la mission locale."
    )

    first.get_by_role("button", name="Clore la séance").click()
    expect(first.locator("main")).to_contain_text("Séance close")
    second.get_by_role("button", name="Clore la séance").click()
    expect(second.locator("main")).to_contain_text("Cette séance est déjà close")
    context.close()


def test_a_failed_save_stays_said_when_the_decision_fields_come_back_later(
    page, live_server, cell, coordinator
):
    """The kind chosen, its fields asked for; the user saves before they come, offline: the
    failure is said, and the fields arriving afterwards do not clear it."""
    open_situation(cell, by=coordinator, last_name="Vasseur", first_name="Enzo")
    seance = _started_with_everyone_present(cell, [coordinator], by=coordinator)
    log_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/seances/{seance.pk}/salle/")
    page.wait_for_load_state("networkidle")
    held = []
    page.route(re.compile(r"/decision/champs/"), lambda route: held.append(route))
    point = page.locator("article", has_text="Vasseur")
    point.locator("select[name$='-kind']").select_option(label="Poursuivre l'accompagnement")
    point.locator("textarea[name$='-text']").fill("Poursuivre avec la mission locale.")
    for _ in range(100):  # the route's handler runs while the page is waited on
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "le choix de la décision n'a pas demandé ses champs"
    page.context.set_offline(True)
    point.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    status = point.locator(".cellule-save-status")
    expect(status).to_contain_text("Non enregistré")
    held[0].fulfill(status=200, content_type="text/html", body='<p class="champs">Champs</p>')
    expect(point.locator(".champs")).to_be_visible()
    page.wait_for_timeout(100)  # the request's last events, after the swap
    expect(status).to_contain_text("Non enregistré")
    assert not Decision.objects.exists()
