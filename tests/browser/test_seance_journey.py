"""A whole séance: the coordinator plans and convenes it, a member commits to confidentiality,
the room records two attendees and three decisions (one save survives a network drop), the
séance is closed, the president validates the relevé and downloads their copy."""

import io
import re
from datetime import datetime, time

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cellule.accounts.enums import Role
from cellule.cases.models import Measure, Situation
from cellule.journal.models import AuditEvent
from cellule.meetings.models import Decision, Seance
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.browser.test_invitation_journey import log_in
from tests.cases.factories import open_situation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [("Quesnel-Vidal", "Maëlys"), ("Abadie-Tournier", "Gwendal"), ("Lemaréchal", "Yanis")]


def _page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.set_default_timeout(10_000)
    return page


def test_a_whole_seance_from_convocation_to_the_releve(browser, live_server, cell):
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    president = MembershipFactory(cell=cell, role=Role.PRESIDENT).user
    ccas = OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    nadia = MembershipFactory(
        cell=cell, role=Role.MEMBER, user__organisation=ccas, user__first_name="Nadia"
    ).user
    bruno = MembershipFactory(cell=cell, role=Role.STATE_DELEGATE, user__first_name="Bruno").user
    situations = [
        open_situation(cell, by=coordinator, last_name=last, first_name=first)
        for last, first in PEOPLE
    ]
    morning = timezone.make_aware(datetime.combine(timezone.localdate(), time(9, 0)))

    with time_machine.travel(morning, tick=True):
        page = _page(browser)
        log_in(page, live_server.url, coordinator)
        page.get_by_role("link", name="Séances", exact=True).first.click()
        page.get_by_role("link", name="Planifier une séance").click()
        page.locator("#id_day").fill(timezone.localdate().isoformat())
        page.locator("#id_start").fill("14:00")
        page.locator("#id_end").fill("16:00")
        page.locator("#id_place").fill("Hôtel de ville, salle du conseil")
        for user in (president, coordinator):  # two attendees: Nadia and Bruno
            page.locator("label", has_text=user.get_full_name()).click()
        page.get_by_role("button", name="Planifier la séance").click()
        assert "ordre du jour proposé" in page.locator("main").inner_text()
        agenda = page.locator("#agenda").inner_text()
        assert all(f"{last} {first}" in agenda for last, first in PEOPLE)
        page.get_by_role("button", name="Convoquer").click()
        assert "Convocations envoyées" in page.locator("main").inner_text()
        seance = Seance.objects.get()

        member_page = _page(browser)
        log_in(member_page, live_server.url, nadia)
        member_page.get_by_role("link", name="Voir l'ordre du jour").click()
        assert "Quesnel-Vidal" not in member_page.locator("main").inner_text()
        member_page.get_by_role("button", name=re.compile("Je m'engage")).click()
        assert "Quesnel-Vidal Maëlys" in member_page.locator("main").inner_text()

        # In the room: both present, Bruno's commitment recorded by the coordinator.
        page.get_by_role("link", name="Tenir la séance").click()
        page.wait_for_url("**/salle/")  # loaded: htmx has taken the forms over
        for user in (nadia, bruno):
            row = page.locator("tr", has_text=user.get_full_name())
            row.locator("label", has_text="Présent").click()
            expect(row.locator(".cellule-save-status").first).to_have_text("Enregistré.")
        page.locator("tr", has_text=bruno.get_full_name()).get_by_role(
            "button", name=re.compile("Engagement recueilli")
        ).click()
        expect(page.locator("tr", has_text=bruno.get_full_name())).to_contain_text(
            "recueilli en séance"
        )
        page.reload()  # the decision forms now tick the members present
        page.wait_for_load_state("networkidle")  # htmx has taken the forms over

        first = page.locator("article", has_text="Quesnel-Vidal")
        first.locator("select[name$='-kind']").select_option(label="Poursuivre l'accompagnement")
        first.locator("textarea[name$='-text']").fill(
            "Poursuivre avec le CCAS ; point au printemps."
        )
        page.context.set_offline(True)
        first.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        expect(first.locator(".cellule-save-status")).to_contain_text("Non enregistré")
        text = first.locator("textarea[name$='-text']").input_value()
        assert text == "Poursuivre avec le CCAS ; point au printemps."
        page.context.set_offline(False)
        first.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        expect(first).to_contain_text("Décision enregistrée")

        second = page.locator("article", has_text="Abadie-Tournier")
        second.locator("select[name$='-kind']").select_option(label="Proposer une mesure")
        second.locator("select[name$='-measure_kind']").select_option(label="Scolarité")
        second.locator("select[name$='-provider']").select_option(label="CCAS de Miramas")
        second.locator("textarea[name$='-text']").fill("Accompagnement scolaire par le CCAS.")
        second.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        expect(second).to_contain_text("Décision enregistrée")

        third = page.locator("article", has_text="Lemaréchal")
        third.locator("select[name$='-kind']").select_option(label="Clore")
        third.locator("select[name$='-reason']").select_option(label="Inquiétude non confirmée")
        third.locator("textarea[name$='-text']").fill("Inquiétude levée après l'entretien.")
        third.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        expect(third).to_contain_text("Décision enregistrée")

        page.get_by_role("button", name="Clore la séance").click()
        assert "Séance close" in page.locator("main").inner_text()

        president_page = _page(browser)
        log_in(president_page, live_server.url, president)
        president_page.get_by_role("link", name="Séances", exact=True).first.click()
        president_page.locator("table a").first.click()
        president_page.get_by_role("button", name="Valider le relevé de décisions").click()
        assert "Relevé de décisions validé" in president_page.locator("main").inner_text()
        with president_page.expect_download() as download:
            president_page.get_by_role("link", name=re.compile("Télécharger le relevé")).click()
        content = "\n".join(
            p.extract_text()
            for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
        )

    assert f"Exemplaire de {president.get_full_name()}" in content
    assert "Poursuivre avec le CCAS ; point au printemps." in content
    assert all(f"{last} {first}" in content for last, first in PEOPLE)
    assert Decision.objects.count() == 3
    assert Measure.objects.get(situation=situations[1]).provider == ccas
    assert Situation.objects.get(pk=situations[2].pk).status == "closed"
    assert Seance.objects.get().status == "minutes_validated"
    assert AuditEvent.objects.filter(
        actor_id=president.pk, action="export", target_id=str(seance.pk)
    ).exists()
