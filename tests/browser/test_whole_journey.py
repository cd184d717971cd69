"""The whole journey of a cell, in one scenario, as its people live it in a browser: an agent is
invited and logs in for the first time (TOTP, charter), files a signalement; the coordinator finds
the person already known and puts them on the agenda; a séance is convened and held, a measure
decided; the person accepts it and the CCAS starts it; the situation goes to the préfecture, which
acknowledges it and gives feedback; the mayor is told; the situation is closed, archived, consulted
again with a reason; the DPO reads the journal of that situation.

Every page on the way is checked with axe-core (no serious or critical violation) and for
console errors, and with ``make screenshots`` photographed at desktop and mobile widths into
``var/screenshots/parcours-*``."""

import base64
import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from cellule.accounts.enums import Role
from cellule.cases.models import Measure, Situation
from cellule.exchanges.models import Transmission
from cellule.journal.models import AuditEvent
from cellule.reports import services as report_services
from cellule.reports.models import Signalement
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.browser.a11y import describe, violations
from tests.browser.test_invitation_journey import log_in
from tests.exchanges.factories import departmental_cell
from tests.reports.factories import file_signalement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("CELLULE_SCREENSHOTS", "")
ARCHIVE_REASON = "Demande écrite du procureur de la République du 12 janvier"


class Journey:
    """The people of the scenario, each in their own browser context, and what every page they
    see must satisfy."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.problems = []
        self.pages = 0
        self.contexts = []

    def open(self, user=None):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
        )
        if user is not None:
            log_in(page, self.base_url, user)
        return page

    def see(self, page, name: str) -> None:
        """The page as it is now: accessible, no console error; photographed when asked."""
        page.wait_for_load_state()
        self.pages += 1
        found = violations(page)
        if found:
            self.problems.append(f"{name} ({page.url}):\n{describe(found)}")
        if page.console_errors:
            self.problems.append(f"{name}: console: {page.console_errors}")
            page.console_errors.clear()
        if SCREENSHOTS:
            folder = Path(SCREENSHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"parcours-{self.pages:02d}-{name}"
            page.screenshot(path=str(folder / f"{stem}-bureau.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(folder / f"{stem}-mobile.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})

    def close(self):
        for context in self.contexts:
            context.close()


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_the_whole_journey_of_a_cell(browser, live_server, cell, dpo):
    coordinator = MembershipFactory(
        cell=cell, role=Role.COORDINATOR, user__first_name="Claire"
    ).user
    mayor = MembershipFactory(cell=cell, role=Role.PRESIDENT, user__first_name="Frédéric").user
    ccas = OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    nadia = MembershipFactory(
        cell=cell, role=Role.MEMBER, user__organisation=ccas, user__first_name="Nadia"
    ).user
    prefecture = departmental_cell(cell)
    referent = MembershipFactory(cell=prefecture, role=Role.COORDINATOR).user
    # The person is already known of the cell: reported last month by the police municipale.
    earlier = file_signalement(
        cell,
        by=MembershipFactory(cell=cell, role=Role.REPORTER).user,
        last_name="Lefèvre",
        first_name="Benoît",
        birth_date=date(2009, 3, 12),
    )
    report_services.confirm_new_person(signalement=earlier, by=coordinator)
    morning = timezone.make_aware(datetime.combine(timezone.localdate(), time(9, 0)))
    journey = Journey(browser, live_server.url)
    mail.outbox.clear()

    with time_machine.travel(morning, tick=True):
        # 1. The coordinator invites a field agent.
        office = journey.open(coordinator)
        journey.see(office, "tableau-de-bord-coordination")
        office.get_by_role("link", name="Ma cellule").click()
        office.get_by_role("link", name="Inviter une personne").click()
        office.get_by_label("Adresse électronique professionnelle").fill("karim.benali@miramas.fr")
        office.get_by_label("Prénom").fill("Karim")
        office.locator("#id_last_name").fill("Benali")
        office.get_by_label("Organisation").select_option(label=cell.organisation.name)
        office.get_by_label("Rôle dans la cellule").select_option(label="Agent signalant")
        journey.see(office, "invitation")
        office.get_by_role("button", name="Envoyer l'invitation").click()
        expect(office.locator("main")).to_contain_text(
            "Invitation envoyée à karim.benali@miramas.fr"
        )
        (invitation,) = mail.outbox
        assert "Lefèvre" not in invitation.body
        link = re.search(r"http\S+/invitation/\S+/", invitation.body).group(0)

        # 2. The agent's first login: password, TOTP, charter.
        agent = journey.open()
        agent.goto(link)
        expect(agent.locator("h1")).to_have_text("Créer votre accès")
        journey.see(agent, "creer-son-acces")
        agent.locator("#id_new_password1").fill("un mot de passe bien long")
        agent.locator("#id_new_password2").fill("un mot de passe bien long")
        agent.get_by_role("button", name="Créer mon accès").click()
        expect(agent.locator("h1")).to_have_text("Activer la double authentification")
        journey.see(agent, "double-authentification")
        secret = agent.locator(".cellule-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        agent.get_by_label("Code à usage unique").fill(f"{totp(key):06d}")
        agent.get_by_role("button", name="Activer").click()
        expect(agent.locator("h1")).to_have_text(f"Charte de confidentialité — {cell.name}")
        journey.see(agent, "charte")
        agent.locator("label[for=id_accept]").click()
        agent.get_by_role("button", name="Signer la charte").click()
        expect(agent.locator("h1")).to_have_text("Bonjour Karim")
        journey.see(agent, "tableau-de-bord-agent")

        # 3. The agent files a signalement.
        agent.get_by_role("link", name="Signaler").first.click()
        day = (timezone.localdate() - timedelta(days=1)).isoformat()
        agent.locator("#id_last_name").fill("LEFEBVRE")
        agent.locator("#id_first_name").fill("Benoit")
        agent.locator("#id_birth_date").fill("2009-03-12")
        agent.locator("#id_observed_on").fill(day)
        agent.locator("#id_source_category").select_option(label="Club sportif ou association")
        for label in (
            "Abandon d'activités pratiquées jusque-là (sport, loisirs)",
            "Repli sur soi, isolement marqué",
        ):
            item = agent.locator(".cellule-indicator", has_text=label)
            item.locator("label.fr-label").first.click()
            item.locator("input[type=date]").fill(day)
        agent.locator("#id_text").fill(
            "Ne vient plus à l'entraînement depuis un mois ; reste seul."
        )
        journey.see(agent, "fiche-de-signalement")
        agent.get_by_role("button", name="Envoyer le signalement").click()
        expect(agent.locator("h1")).to_have_text("Mes signalements")
        assert "LEFEBVRE" not in agent.content()  # the agent sees a status, not the file
        journey.see(agent, "mes-signalements")

        # 4. The coordinator qualifies it: the person is already known; on the agenda.
        office.get_by_role("link", name="Signalements à qualifier").first.click()
        journey.see(office, "signalements-a-qualifier")
        office.locator("tr", has_text="LEFEBVRE").get_by_role("link", name="Examiner").click()
        expect(office.locator("main")).to_contain_text(
            "Personnes peut-être déjà connues de la cellule"
        )
        journey.see(office, "qualification-doublon")
        office.get_by_role("button", name="C'est la même personne : rattacher").click()
        expect(office.locator("main")).to_contain_text(
            "Signalement rattaché à la personne déjà connue"
        )
        office.locator("label[for=id_agenda]").click()
        office.locator("#id_reason").fill("Abandon du sport et isolement : examen en séance.")
        office.get_by_role("button", name="Enregistrer la décision").click()
        expect(office.locator("h1")).to_have_text("Signalements à qualifier")
        situation = Situation.objects.get()
        assert situation.person_id == earlier.person_id

        # 5. A séance is planned and convened; the CCAS commits to confidentiality.
        office.get_by_role("link", name="Séances", exact=True).first.click()
        office.get_by_role("link", name="Planifier une séance").click()
        office.locator("#id_day").fill(timezone.localdate().isoformat())
        office.locator("#id_start").fill("14:00")
        office.locator("#id_end").fill("16:00")
        office.locator("#id_place").fill("Hôtel de ville, salle du conseil")
        journey.see(office, "planifier-une-seance")
        office.get_by_role("button", name="Planifier la séance").click()
        expect(office.locator("#agenda")).to_contain_text("Lefèvre Benoît")
        office.get_by_role("button", name="Convoquer").click()
        expect(office.locator("main")).to_contain_text("Convocations envoyées")
        journey.see(office, "seance-convoquee")

        partner = journey.open(nadia)
        partner.get_by_role("link", name="Voir l'ordre du jour").click()
        assert "Lefèvre" not in main_text(partner)
        journey.see(partner, "engagement-de-confidentialite")
        partner.get_by_role("button", name=re.compile("Je m'engage")).click()
        expect(partner.locator("main")).to_contain_text("Lefèvre Benoît")

        # 6. The séance is held: attendance, a measure decided, the séance closed.
        office.get_by_role("link", name="Tenir la séance").click()
        office.wait_for_url("**/salle/")  # loaded: htmx has taken the forms over
        for user in (coordinator, mayor, nadia):
            row = office.locator("tr", has_text=user.get_full_name())
            row.locator("label", has_text="Présent").click()
            expect(row.locator(".cellule-attendance .cellule-save-status")).to_have_text(
                "Enregistré."
            )
        office.reload()  # the decision forms now tick the members present
        point = office.locator("article", has_text="Lefèvre")
        point.locator("select[name$='-kind']").select_option(label="Proposer une mesure")
        point.locator("select[name$='-measure_kind']").select_option(label="Scolarité")
        point.locator("select[name$='-provider']").select_option(label="CCAS de Miramas")
        point.locator("textarea[name$='-text']").fill(
            "Accompagnement vers un retour au club et soutien scolaire par le CCAS."
        )
        journey.see(office, "salle-de-seance")
        point.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        expect(point).to_contain_text("Décision enregistrée")
        office.get_by_role("button", name="Clore la séance").click()
        expect(office.locator("main")).to_contain_text("Séance close")
        journey.see(office, "seance-close")

        # 7. The person accepts the measure; the CCAS, told, starts it.
        office.goto(f"{live_server.url}/situations/{situation.pk}/")
        card = office.locator(".cellule-measure", has_text="Scolarité")
        card.locator("input[name=answered_on]").fill(timezone.localdate().isoformat())
        card.locator("input[name=parental_consent_on]").fill(timezone.localdate().isoformat())
        card.get_by_role("button", name="Enregistrer la réponse").click()
        expect(office.locator("main")).to_contain_text("Réponse de la personne enregistrée")
        journey.see(office, "situation")

        partner.get_by_role("link", name=re.compile("^Notifications")).click()
        journey.see(partner, "notifications-partenaire")
        partner.locator("tr", has_text="Mesure proposée à votre organisme").get_by_role(
            "link", name=re.compile("Ouvrir")
        ).click()
        journey.see(partner, "vue-partenaire")
        partner.get_by_role("button", name="La mesure commence").click()
        expect(partner.locator("main")).to_contain_text("En cours")
        assert Measure.objects.get().status == "ongoing"

        # 8. The situation is sent to the préfecture, which acknowledges it and answers.
        office.get_by_role("link", name="Transmettre à la préfecture").click()
        office.locator("#id_legal_basis").select_option(
            label="Article L. 132-5 du code de la sécurité intérieure"
        )
        journey.see(office, "transmission")
        office.get_by_role("button", name="Voir ce qui sera transmis").click()
        expect(office.locator("main")).to_contain_text("Vérifiez ce qui sera transmis")
        office.get_by_role("button", name="Confirmer et transmettre").click()
        expect(office.locator("main")).to_contain_text("Signalement transmis à la préfecture")
        transmission = Transmission.objects.get()

        state = journey.open(referent)
        state.get_by_role("link", name="Échanges", exact=True).first.click()
        journey.see(state, "echanges-prefecture")
        state.locator("tr", has_text=transmission.reference).get_by_role(
            "link", name="Ouvrir"
        ).click()
        expect(state.locator("main")).to_contain_text("Lefèvre Benoît")
        state.get_by_role("button", name="Accuser réception").click()
        expect(state.locator("main")).to_contain_text("Réception accusée")
        state.get_by_text("Suivi par les services de l'État").click()
        journey.see(state, "retour-d-information")
        state.get_by_role("button", name="Envoyer le retour d'information").click()
        expect(state.locator("main")).to_contain_text("Retour d'information envoyé")

        # 9. The mayor is told, without a name in the notification.
        town_hall = journey.open(mayor)
        journey.see(town_hall, "tableau-de-bord-maire")
        town_hall.get_by_role("link", name=re.compile("^Notifications")).click()
        told = town_hall.locator("tr", has_text="Retour d'information reçu")
        expect(told).to_have_count(1)
        assert "Lefèvre" not in main_text(town_hall)
        journey.see(town_hall, "notifications-maire")
        told.get_by_role("link", name=re.compile("Ouvrir")).click()
        expect(town_hall.locator("main")).to_contain_text("Suivi par les services de l'État")
        journey.see(town_hall, "transmission-vue-du-maire")

        # 10. The coordinator closes the situation.
        office.goto(f"{live_server.url}/situations/{situation.pk}/")
        chronology = office.locator(".cellule-timeline").inner_text()
        assert "Retour d'information de la préfecture" in chronology
        office.get_by_role("link", name="Clôturer la situation").click()
        office.locator("#id_reason").select_option(label="Objectifs atteints")
        office.locator("#id_text").fill("Retour au club et au collège ; la famille est soutenue.")
        journey.see(office, "cloture")
        office.get_by_role("button", name="Clôturer la situation").click()
        expect(office.locator("main")).to_contain_text("Situation clôturée")

    # 11. A month later the situation is archived; consulting it asks for a reason.
    with time_machine.travel(morning + timedelta(days=31), tick=True):
        call_command("archive_situations")
        office = journey.open(coordinator)
        office.goto(f"{live_server.url}/situations/archives/")
        journey.see(office, "archives")
        office.locator("tr", has_text=situation.reference).get_by_role(
            "link", name="Consulter"
        ).click()
        assert "Lefèvre" not in main_text(office)
        journey.see(office, "archive-motif")
        office.locator("#id_reason").fill(ARCHIVE_REASON)
        office.get_by_role("button", name="Consulter la situation").click()
        expect(office.locator("main")).to_contain_text("Situation archivée")
        expect(office.locator("main")).to_contain_text("Lefèvre")

        # 12. The DPO reads who consulted the situation, and why.
        privacy = journey.open(dpo)
        journey.see(privacy, "tableau-de-bord-dpd")
        privacy.goto(f"{live_server.url}/journal/?target={situation.pk}")
        table = privacy.locator("main table")
        expect(table).to_contain_text(ARCHIVE_REASON)
        expect(table).to_contain_text(coordinator.get_full_name())
        expect(table).to_contain_text("Coordonnateur")
        journey.see(privacy, "journal-de-la-situation")

    journey.close()
    assert Signalement.objects.get(reporter__email="karim.benali@miramas.fr").person_id == (
        earlier.person_id
    )
    assert Situation.objects.get().status == "archived"
    assert Transmission.objects.get(pk=transmission.pk).feedback_given_at is not None
    assert AuditEvent.objects.filter(
        actor_id=coordinator.pk, target_id=str(situation.pk), reason=ARCHIVE_REASON
    ).exists()
    for message in mail.outbox:
        assert "Lefèvre" not in message.body and "LEFEBVRE" not in message.body
    assert journey.pages >= 25
    assert not journey.problems, "\n".join(journey.problems)
