"""Pages: lists with query bounds, search through the blind indexes, forms with French errors."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cellule.cases import services
from cellule.cases.enums import MeasureKind
from cellule.cases.models import Measure, Note, Review, Situation
from cellule.people import crypto
from cellule.reports.models import Signalement
from tests.accounts.factories import OrganisationFactory
from tests.cases.factories import measure, open_situation
from tests.conftest import text


@pytest.fixture
def several(cell, coordinator):
    names = [("Lefèvre", "Benoît"), ("Roux", "Anna"), ("Garcia", "Inès"), ("Petit", "Lucas")]
    return [
        open_situation(
            cell,
            by=coordinator,
            last_name=last,
            first_name=first,
            birth_date=date(2009, 3, 12 + n),
        )
        for n, (last, first) in enumerate(names)
    ]


@pytest.fixture
def decryptions(monkeypatch):
    """Where each decryption made from now on read: its place (table, column, row id)."""
    places = []
    original = crypto.decrypt_text

    def spy(cipher, blob, **place):
        places.append(place)
        return original(cipher, blob, **place)

    monkeypatch.setattr(crypto, "decrypt_text", spy)
    return places


@pytest.mark.parametrize("name", ["cases:list", "cases:to_review"])
def test_lists_have_a_query_bound(
    client_for, coordinator, several, django_assert_max_num_queries, name
):
    client = client_for(coordinator)
    with django_assert_max_num_queries(20):
        response = client.get(reverse(name))
    page = text(response)
    assert all(s.person.identity.last_name in page for s in several)


def test_a_list_decrypts_the_two_names_it_shows_not_the_identity(
    client_for, coordinator, several, decryptions
):
    """Each row shows the names: two fields decrypted, not the birth date nor the address."""
    names = [s.person.names()["last_name"] for s in several]
    decryptions.clear()
    page = text(client_for(coordinator).get(reverse("cases:list")))
    assert all(f"{name} " in page for name in names)
    columns = [place["column"] for place in decryptions]
    assert sorted(set(columns)) == ["first_name_encrypted", "last_name_encrypted"]
    assert len(columns) == 2 * len(several)


def test_the_list_filters_by_status_and_referent(client_for, coordinator, member, several):
    services.transition_situation(situation=several[0], to="watch", reason="x", by=coordinator)
    services.assign_referent(situation=several[1], referent=member, by=coordinator)
    client = client_for(coordinator)
    page = text(client.get(reverse("cases:list"), {"etat": "watch"}))
    assert "Lefèvre" in page and "Roux" not in page
    page = text(client_for(member).get(reverse("cases:list"), {"referent": "moi"}))
    assert "Roux" in page and "Lefèvre" not in page


def test_to_review_puts_the_overdue_first(client_for, coordinator, several):
    Situation.objects.filter(pk=several[2].pk).update(
        next_review_on=timezone.localdate() - timedelta(days=3)
    )
    page = text(client_for(coordinator).get(reverse("cases:to_review")))
    assert page.index("Garcia") < page.index("Lefèvre")
    assert "en retard" in page


def test_search_uses_the_blind_indexes_exact_and_phonetic(
    client_for, coordinator, several, decryptions
):
    client = client_for(coordinator)
    exact = text(
        client.get(
            reverse("cases:search"),
            {"last_name": "LEFEVRE", "first_name": "benoit", "birth_date": "2009-03-12"},
        )
    )
    assert "Lefèvre" in exact and "Roux" not in exact
    phonetic = text(
        client.get(reverse("cases:search"), {"last_name": "Lefebvre", "first_name": "Benoit"})
    )
    assert "Lefèvre" in phonetic
    # Only the match was decrypted: the table was never read in clear.
    others = {s.person_id for s in several[1:]}
    assert not others & {place["row_id"] for place in decryptions}
    nothing = text(client.get(reverse("cases:search"), {"last_name": "Zed", "first_name": "Yann"}))
    assert "Aucune situation ne correspond" in nothing


def test_the_situation_page_shows_one_timeline(client_for, cell, coordinator, several):
    situation = several[0]
    provider = coordinator.organisation
    m = measure(situation, provider=provider, by=coordinator, accepted=True)
    services.record_review(situation=situation, changes="Reprise du collège.", by=coordinator)
    services.add_note(situation=situation, text="Rencontre avec la mère.", by=coordinator)
    page = text(client_for(coordinator).get(reverse("cases:detail", args=[situation.pk])))
    for expected in (
        "Lefèvre",
        f"Signalement n° {situation.origin_reports.get().reference}",
        "Ouverture de la situation",
        "Mesure proposée",
        "Mesure acceptée",
        "Reprise du collège.",
        "Rencontre avec la mère.",
        "Clôturer la situation",
    ):
        assert expected in page, expected
    assert m.status == "accepted"


def _queries_of_situation_page(client, situation):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:detail", args=[situation.pk]))
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_situation_page_reads_its_measures_and_reports_once(
    client_for, cell, coordinator, several
):
    """The page, its timeline and its consultations share one read of the measures (with their
    providers, référents and authors) and one of the reports: as many queries with four measures
    from four organisations as with one."""
    situation = several[0]
    client = client_for(coordinator)
    measure(situation, provider=coordinator.organisation, by=coordinator, accepted=True)
    one = _queries_of_situation_page(client, situation)
    for kind in (MeasureKind.TRAINING_EMPLOYMENT, MeasureKind.FAMILY_PARENTING, MeasureKind.HEALTH):
        measure(situation, provider=OrganisationFactory(), kind=kind, by=coordinator)
    four = _queries_of_situation_page(client, situation)
    assert len(four) == len(one)
    # Whole rows read once; besides, only the providers the abilities ask (access.abilities).
    measures = [sql for sql in four if f'FROM "{Measure._meta.db_table}"' in sql]
    assert len(measures) == 2
    assert sum('"cases_measure"."kind"' in sql for sql in measures) == 1
    assert sum(f'FROM "{Signalement._meta.db_table}"' in sql for sql in four) == 1


def test_consent_for_a_minor_needs_the_parents(cell, coordinator):
    situation = open_situation(cell, by=coordinator)  # 16 years old
    m = measure(situation, provider=coordinator.organisation, by=coordinator)
    with pytest.raises(Exception) as error:
        services.record_consent(
            measure=m, accepted=True, answered_on=timezone.localdate(), by=coordinator
        )
    assert "représentants légaux" in str(error.value)
    assert Measure.objects.get(pk=m.pk).status == "proposed"


def test_a_measure_goes_through_its_steps(cell, coordinator):
    situation = open_situation(cell, by=coordinator)
    m = measure(situation, provider=coordinator.organisation, by=coordinator, accepted=True)
    today = timezone.localdate()
    m = services.start_measure(measure=m, started_on=today, by=coordinator)
    m = services.end_measure(measure=m, ended_on=today, outcome="Stage réussi.", by=coordinator)
    assert (m.status, Measure.objects.get(pk=m.pk).outcome) == ("ended", "Stage réussi.")
    with pytest.raises(PermissionDenied):  # an ended measure is read-only
        services.start_measure(measure=m, started_on=today, by=coordinator)


def test_bad_input_gives_french_messages_and_no_record(client_for, cell, coordinator):
    situation = open_situation(cell, by=coordinator)
    client = client_for(coordinator)
    response = client.post(reverse("cases:review", args=[situation.pk]), {"changes": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in text(response)
    response = client.post(reverse("cases:note_new", args=[situation.pk]), {"text": "x" * 1001})
    assert "1000 caractères" in text(response)
    response = client.post(reverse("cases:measure_new", args=[situation.pk]), {"kind": "nope"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert (
        not Review.objects.exists() and not Note.objects.exists() and not Measure.objects.exists()
    )


def test_notes_are_editable_by_their_author_for_24_hours_then_annotated(
    client_for, cell, coordinator, president
):
    situation = open_situation(cell, by=coordinator)
    note = services.add_note(situation=situation, text="Premier entretien.", by=coordinator)
    url = reverse("cases:note_edit", args=[note.pk])
    assert client_for(president).get(url).status_code == 403
    client = client_for(coordinator)
    assert client.post(url, {"text": "Premier entretien, avec la mère."}).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        client = client_for(coordinator)
        assert client.get(url).status_code == 403
        response = client.post(
            reverse("cases:note_new", args=[situation.pk]),
            {"text": "Précision : la mère était présente.", "annotates": str(note.pk)},
        )
        assert response.status_code == 302
    annotation = Note.objects.get(annotates=note)
    cipher = situation.person.cipher()
    assert annotation.unseal(cipher)["text"] == "Précision : la mère était présente."
    assert Note.objects.get(pk=note.pk).unseal(cipher)["text"] == "Premier entretien, avec la mère."


def test_closure_reviews_each_free_text(client_for, cell, coordinator):
    situation = open_situation(cell, by=coordinator)
    keep = services.add_note(situation=situation, text="Note à garder.", by=coordinator)
    drop = services.add_note(situation=situation, text="Note à supprimer.", by=coordinator)
    review = services.record_review(
        situation=situation, changes="Un texte bien trop long à garder.", by=coordinator
    )
    client = client_for(coordinator)
    url = reverse("cases:close", args=[situation.pk])
    page = text(client.get(url))
    assert "Relecture des textes libres" in page and "Note à supprimer." in page
    rows = services.free_texts(situation)
    data = {"reason": "goals_met", "text": "Objectifs atteints : scolarité reprise."}
    for n, row in enumerate(rows):
        if row["object"].pk == drop.pk:
            data[f"decision_{n}"] = "delete"
        elif row["object"].pk == review.pk:
            data[f"decision_{n}"], data[f"shortened_{n}"] = "shorten", "Texte court."
        else:
            data[f"decision_{n}"] = "keep"
    bad = dict(data, reason="")
    assert client.post(url, bad).status_code == 200
    assert Situation.objects.get(pk=situation.pk).status == "assessment"
    response = client.post(url, data)
    assert response.status_code == 302
    situation = Situation.objects.get(pk=situation.pk)
    cipher = situation.person.cipher()
    assert situation.status == "closed"
    assert situation.closure_reason == "goals_met"
    assert situation.closure_text == "Objectifs atteints : scolarité reprise."
    assert Note.objects.get(pk=keep.pk).unseal(cipher)["text"] == "Note à garder."
    assert Note.objects.get(pk=drop.pk).text_encrypted is None
    assert Review.objects.get(pk=review.pk).unseal(cipher)["changes"] == "Texte court."


def test_the_dashboard_and_the_header_lead_to_the_situations(
    client_for, cell, coordinator, several
):
    Situation.objects.filter(pk=several[0].pk).update(
        next_review_on=timezone.localdate() - timedelta(days=1)
    )
    page = text(client_for(coordinator).get(reverse("core:home")))
    assert "Situations à revoir" in page
    assert "1 dont la revue est en retard" in page
    assert reverse("cases:list") in page


def test_the_reporter_has_no_situations_link(client_for, reporter):
    page = text(client_for(reporter).get(reverse("core:home")))
    assert reverse("cases:list") not in page
