"""A reporter files a signalement with the keyboard only, the focus visible at every step."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cellule.accounts.enums import Role
from cellule.reports.models import Signalement
from tests.accounts.factories import MembershipFactory
from tests.browser.a11y import assert_accessible
from tests.browser.keyboard import by_id, by_text, date_keys, focused, tab_to
from tests.browser.test_invitation_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_signalement_filed_with_the_keyboard_only(browser, live_server, cell):
    reporter = MembershipFactory(cell=cell, role=Role.REPORTER).user
    day = timezone.localdate() - timedelta(days=2)

    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, reporter)
    page.wait_for_selector("h1")
    # The skip link comes first, and leads to the content.
    page.keyboard.press("Tab")
    assert "contenu" in focused(page)["text"].lower()

    tab_to(page, by_text("Faire un signalement"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/signalements/nouveau/")
    assert_accessible(page, "fiche de signalement")

    tab_to(page, by_id("id_last_name"))
    page.keyboard.type("Moreau")
    tab_to(page, by_id("id_first_name"))
    page.keyboard.type("Lina")
    tab_to(page, by_id("id_approximate_age"))
    page.keyboard.type("16")
    tab_to(page, by_id("id_observed_on"))
    page.keyboard.type(date_keys(page, day))
    tab_to(page, by_id("id_source_category"))
    page.keyboard.press("ArrowDown")
    indicator = tab_to(page, lambda info: info["name"] == "indicators")
    page.keyboard.press("Space")
    tab_to(page, lambda info: info["tag"] == "INPUT" and (info["name"] or "").startswith("date"))
    page.keyboard.type(date_keys(page, day))
    tab_to(page, by_id("id_text"))
    page.keyboard.type("Absente du lycée depuis trois semaines ; a quitté son club de hand.")
    tab_to(page, by_text("Envoyer le signalement"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Mes signalements"
    filed = Signalement.objects.get()
    assert filed.reporter == reporter
    assert filed.observed_on == day
    assert [str(pk) for pk in filed.indicators.values_list("indicator_id", flat=True)] == [
        indicator["id"].removeprefix("indicator-")
    ]


def test_the_seance_room_with_the_keyboard_only(browser, live_server, cell):
    """Attendance and a decision recorded with the keyboard only, the séance closed."""
    from cellule.meetings.models import Decision, Seance
    from tests.cases.factories import open_situation
    from tests.meetings.factories import attendee, started

    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    member = MembershipFactory(cell=cell, role=Role.MEMBER).user
    open_situation(cell, by=coordinator, last_name="Vasseur", first_name="Enzo")
    seance = started(cell, members=[coordinator, member])

    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/seances/{seance.pk}/salle/")
    assert_accessible(page, "salle de séance")

    for user in (coordinator, member):
        mark = attendee(seance, user)
        tab_to(page, lambda info, pk=mark.pk: (info["id"] or "").startswith(f"presence-{pk}-"))
        page.keyboard.press("Space")  # the group's first choice: « Présent »
        expect(
            page.locator(f"#convoque-{mark.pk} .cellule-attendance .cellule-save-status")
        ).to_have_text("Enregistré.")

    tab_to(page, lambda info: (info["name"] or "").endswith("-kind"))
    page.keyboard.type("Poursuivre")
    expect(page.locator("textarea[name$='-text']")).to_be_visible()
    tab_to(page, lambda info: (info["name"] or "").endswith("-text"))
    page.keyboard.type("Poursuivre avec la mission locale ; point dans trois mois.")
    for _ in range(2):  # both members present took the decision
        tab_to(page, lambda info: (info["name"] or "").endswith("-taken_by"))
        page.keyboard.press("Space")
    tab_to(page, by_text("Enregistrer la décision"))
    page.keyboard.press("Enter")
    expect(page.locator("article", has_text="Vasseur")).to_contain_text("Décision enregistrée")

    tab_to(page, by_text("Clore la séance"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Séance close")
    decision = Decision.objects.get()
    assert decision.kind == "continue"
    assert set(decision.taken_by.all()) == {coordinator, member}
    assert Seance.objects.get().status == "held"
