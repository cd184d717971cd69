"""In the room: attendance, acknowledgements and decisions, written back to the situations in
one transaction per item; htmx fragments; the séance closed and its relevé validated."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cellule.cases import services as case_services
from cellule.cases.models import Measure, Review, Situation
from cellule.meetings import services
from cellule.meetings.enums import DecisionKind
from cellule.meetings.models import Decision, Seance
from cellule.stats.models import Fact
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.meetings.factories import attendee, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(cell, coordinator, member, state_delegate):
    situations = [
        open_situation(cell, by=coordinator, last_name=last, first_name=first)
        for last, first in (("Quesnel-Vidal", "Maëlys"), ("Abadie-Tournier", "Gwendal"))
    ]
    seance = started(cell, members=[coordinator, member, state_delegate])
    for user in (coordinator, member):
        services.record_attendance(
            attendee=attendee(seance, user), attendance="present", by=coordinator
        )
    services.record_attendance(
        attendee=attendee(seance, state_delegate), attendance="excused", by=coordinator
    )
    return seance, situations


def _item(seance, situation):
    return seance.items.get(situation=situation)


def _decide(seance, situation, kind, by, taken_by, **details):
    return services.record_decision(
        item=_item(seance, situation),
        kind=kind,
        text="Décision prise après échange.",
        taken_by=taken_by,
        details=services.DecisionDetails(**details),
        by=by,
    )


def test_continue_records_a_review_with_the_next_date(room, coordinator, member):
    seance, (situation, _) = room
    next_on = timezone.localdate() + timedelta(days=45)
    decision = _decide(
        seance,
        situation,
        DecisionKind.CONTINUE,
        coordinator,
        [coordinator, member],
        next_review_on=next_on,
    )
    situation.refresh_from_db()
    assert situation.next_review_on == next_on
    review = Review.objects.get(situation=situation)
    changes = review.unseal(situation.person.cipher())["changes"]
    assert changes.endswith("poursuivre l'accompagnement.")  # the text stays with the decision
    assert set(decision.taken_by.all()) == {coordinator, member}
    assert decision.unseal(situation.person.cipher())["text"] == "Décision prise après échange."
    assert decision.text_encrypted is not None and b"change" not in bytes(decision.text_encrypted)


def test_propose_measure_and_referent_go_through_the_cases_services(
    room, coordinator, member, ccas
):
    seance, (first, second) = room
    decision = _decide(
        seance,
        first,
        DecisionKind.PROPOSE_MEASURE,
        coordinator,
        [member],
        measure_kind="schooling",
        provider=ccas,
    )
    measure = Measure.objects.get(situation=first)
    assert (measure.kind, measure.provider, measure.status) == ("schooling", ccas, "proposed")
    assert decision.measure == measure
    _decide(seance, second, DecisionKind.ASSIGN_REFERENT, coordinator, [member], referent=member)
    second.refresh_from_db()
    assert second.referent == member


def test_close_reviews_the_free_texts_and_closes(room, coordinator, member):
    seance, (situation, _) = room
    note = case_services.add_note(
        situation=situation, text="Entretien au CCAS le 3 mars.", by=coordinator
    )
    key = f"note:{note.pk}"
    _decide(
        seance,
        situation,
        DecisionKind.CLOSE,
        coordinator,
        [member],
        closure_reason="goals_met",
        text_reviews=[case_services.TextReview(key=key, decision="delete")],
    )
    situation.refresh_from_db()
    assert (situation.status, situation.closure_reason) == ("closed", "goals_met")
    assert situation.closure_text == "Décision prise après échange."
    note.refresh_from_db()
    assert note.unseal(situation.person.cipher())["text"] == ""


def test_a_refused_write_back_keeps_nothing_of_the_decision(room, coordinator, member):
    seance, (situation, _) = room
    note = case_services.add_note(situation=situation, text="Un texte à relire.", by=coordinator)
    with pytest.raises(ValidationError):
        _decide(
            seance,
            situation,
            DecisionKind.CLOSE,
            coordinator,
            [member],
            closure_reason="goals_met",
            text_reviews=[
                case_services.TextReview(
                    key=f"note:{note.pk}",
                    decision="shorten",
                    shortened="Un texte à relire, plus long encore.",
                )
            ],
        )
    situation.refresh_from_db()
    assert situation.status == "assessment"
    assert not Decision.objects.exists()


def test_adjourn_changes_nothing_and_transmit_offers_the_link(
    room, coordinator, member, client_for
):
    seance, (first, second) = room
    before = Situation.objects.get(pk=first.pk).next_review_on
    _decide(seance, first, DecisionKind.ADJOURN, coordinator, [member])
    assert Situation.objects.get(pk=first.pk).next_review_on == before
    assert not Review.objects.filter(situation=first).exists()
    _decide(seance, second, DecisionKind.TRANSMIT, coordinator, [member])
    assert Review.objects.filter(situation=second).exists()
    page = text(client_for(coordinator).get(reverse("meetings:room", kwargs={"pk": seance.pk})))
    assert "Transmettre à la préfecture" in page
    from cellule.meetings.links import transmission_url

    url = transmission_url(second.pk)
    if url:  # the exchanges app provides the form
        assert url in page
    else:
        assert "module Échanges" in page


@pytest.mark.parametrize(
    ("kind", "details", "taken", "error"),
    [
        (DecisionKind.PROPOSE_MEASURE, {}, "member", "nature de la mesure"),
        (DecisionKind.ASSIGN_REFERENT, {}, "member", "Désignez le référent"),
        (DecisionKind.CLOSE, {}, "member", "motif de clôture"),
        (DecisionKind.CONTINUE, {}, "state_delegate", "convoqués et présents"),
        (DecisionKind.CONTINUE, {"next_review_on": "past"}, "member", "dans le futur"),
    ],
)
def test_bad_decisions_are_refused_in_french(
    room, coordinator, member, state_delegate, kind, details, taken, error
):
    seance, (situation, _) = room
    if details.get("next_review_on") == "past":
        details = {"next_review_on": timezone.localdate() - timedelta(days=1)}
    user = member if taken == "member" else state_delegate  # the state delegate is excused
    with pytest.raises(ValidationError, match=error):
        _decide(seance, situation, kind, coordinator, [user], **details)
    assert not Decision.objects.exists()


def test_one_decision_per_item(room, coordinator, member):
    seance, (situation, _) = room
    _decide(seance, situation, DecisionKind.CONTINUE, coordinator, [member])
    with pytest.raises(Exception, match="décision"):
        _decide(seance, situation, DecisionKind.CONTINUE, coordinator, [member])


def test_the_room_posts_by_htmx_and_gets_its_fragment(room, coordinator, member, client_for):
    seance, (situation, _) = room
    item = _item(seance, situation)
    prefix = f"d{item.pk.hex[:12]}"
    client = client_for(coordinator)
    url = reverse("meetings:decision", kwargs={"pk": item.pk})

    fields = client.get(
        reverse("meetings:decision_fields", kwargs={"pk": item.pk}),
        {f"{prefix}-kind": "propose_measure"},
        HTTP_HX_REQUEST="true",
    )
    assert "Organisme qui porte la mesure" in text(fields) and "<html" not in text(fields)

    empty = client.post(url, {f"{prefix}-kind": "continue"}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200
    assert "Ce champ est obligatoire" in text(empty)
    assert 'id="salle-point-' in text(empty) and "<html" not in text(empty)

    saved = client.post(
        url,
        {
            f"{prefix}-kind": "continue",
            f"{prefix}-text": "Poursuivre avec le CCAS.",
            f"{prefix}-taken_by": [str(member.pk)],
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Décision enregistrée et reportée sur la situation" in text(saved)
    assert "Poursuivre avec le CCAS." in text(saved)
    assert Decision.objects.get().item == item


def test_attendance_by_htmx_returns_the_row(room, coordinator, member, client_for):
    seance, _ = room
    a = attendee(seance, member)
    response = client_for(coordinator).post(
        reverse("meetings:attendance", kwargs={"pk": a.pk}),
        {"attendance": "absent"},
        HTTP_HX_REQUEST="true",
    )
    assert f'id="convoque-{a.pk}"' in text(response) and "Enregistré." in text(response)
    a.refresh_from_db()
    assert a.attendance == "absent"
    bad = client_for(coordinator).post(
        reverse("meetings:attendance", kwargs={"pk": a.pk}),
        {"attendance": "peut-être"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422


def test_the_coordinator_records_an_acknowledgement_in_the_room(
    room, coordinator, member, client_for
):
    seance, _ = room
    a = attendee(seance, member)
    client_for(coordinator).post(reverse("meetings:acknowledge", kwargs={"pk": a.pk}))
    a.refresh_from_db()
    assert a.acknowledged_at is not None and a.acknowledged_by == coordinator


def test_closing_needs_every_decision_then_counts_a_fact(
    room, coordinator, member, state_delegate, client_for
):
    seance, situations = room
    client = client_for(coordinator)
    response = client.post(reverse("meetings:close", kwargs={"pk": seance.pk}), follow=True)
    assert "2 point(s) sans décision" in text(response)
    for situation in situations:
        _decide(seance, situation, DecisionKind.CONTINUE, coordinator, [member])
    client.post(reverse("meetings:close", kwargs={"pk": seance.pk}))
    seance.refresh_from_db()
    assert seance.status == "held"
    fact = Fact.objects.get(kind="seance_held")
    assert fact.category == "restricted" and fact.cell_id == seance.cell_id


def test_the_president_validates_and_the_present_members_are_told(
    room, president, coordinator, member, state_delegate, client_for
):
    from cellule.alerts.models import Notification

    seance, situations = room
    for situation in situations:
        _decide(seance, situation, DecisionKind.CONTINUE, coordinator, [member])
    services.close_seance(seance=Seance.objects.get(pk=seance.pk), by=coordinator)
    assert (
        client_for(coordinator)
        .post(reverse("meetings:minutes_validate", kwargs={"pk": seance.pk}))
        .status_code
        == 403
    )
    client_for(president).post(reverse("meetings:minutes_validate", kwargs={"pk": seance.pk}))
    seance.refresh_from_db()
    assert (seance.status, seance.minutes_validated_by) == ("minutes_validated", president)
    told = set(
        Notification.objects.filter(kind="seance_minutes_available").values_list(
            "recipient_id", flat=True
        )
    )
    assert member.pk in told and president.pk in told and state_delegate.pk not in told
    for notification in Notification.objects.all():
        assert not any(name in notification.text for name in ("Quesnel", "Abadie"))


def test_decisions_wait_for_the_seance_day(cell, coordinator, member):
    from tests.meetings.factories import plan

    situation = open_situation(cell, by=coordinator)
    seance = services.convene_seance(seance=plan(cell, members=[member]), by=coordinator)
    assert not seance.abilities(coordinator)["run"]
    with pytest.raises(Exception, match="décision"):
        services.record_decision(
            item=seance.items.get(situation=situation),
            kind=DecisionKind.ADJOURN,
            text="x",
            taken_by=[member],
            details=services.DecisionDetails(),
            by=coordinator,
        )


def test_a_decision_already_taken_elsewhere_is_refused_in_words(
    room, coordinator, member, client_for
):
    """Two tabs on the same room: the second decision on a point is a 409 with the reason, shown
    next to the form (the text typed stays on the page), not a bare 403."""
    seance, (situation, _) = room
    item = _item(seance, situation)
    _decide(seance, situation, DecisionKind.CONTINUE, coordinator, [member])
    prefix = f"d{item.pk.hex[:12]}"
    data = {
        f"{prefix}-kind": "continue",
        f"{prefix}-text": "Autre avis",
        f"{prefix}-taken_by": [str(member.pk)],
    }
    url = reverse("meetings:decision", kwargs={"pk": item.pk})
    client = client_for(coordinator)

    late = client.post(url, data, HTTP_HX_REQUEST="true")
    assert late.status_code == 409 and late["Content-Type"].startswith("text/plain")
    assert "Une décision a déjà été enregistrée pour ce point" in text(late)
    # Choosing a kind in that tab already says so, in the same words (whichever answer the page
    # gets last, the reason stays shown).
    fields = client.get(
        reverse("meetings:decision_fields", kwargs={"pk": item.pk}),
        {f"{prefix}-kind": "propose_measure"},
        HTTP_HX_REQUEST="true",
    )
    assert fields.status_code == 409 and text(fields) == text(late)
    without_htmx = client.post(url, data, follow=True)
    assert "Une décision a déjà été enregistrée pour ce point" in text(without_htmx)
    assert Decision.objects.get().item == item  # the first one, alone


def test_a_decision_after_the_seance_was_closed_elsewhere_is_refused_in_words(
    room, coordinator, member, client_for
):
    seance, (first, second) = room
    for situation in (first, second):
        _decide(seance, situation, DecisionKind.CONTINUE, coordinator, [member])
    client = client_for(coordinator)
    client.post(reverse("meetings:close", kwargs={"pk": seance.pk}))
    again = client.post(reverse("meetings:close", kwargs={"pk": seance.pk}), follow=True)
    assert again.status_code == 200 and "Cette séance est déjà close" in text(again)
    Decision.objects.filter(item__situation=second).delete()  # a point left open, for the test
    item = _item(seance, second)
    late = client.post(
        reverse("meetings:decision", kwargs={"pk": item.pk}),
        {f"d{item.pk.hex[:12]}-kind": "continue"},
        HTTP_HX_REQUEST="true",
    )
    assert late.status_code == 409 and "La séance n'est plus en cours" in text(late)


def test_a_member_who_may_not_decide_still_gets_a_403(room, member, client_for):
    seance, (situation, _) = room
    item = _item(seance, situation)
    client = client_for(member)
    response = client.post(
        reverse("meetings:decision", kwargs={"pk": item.pk}),
        {f"d{item.pk.hex[:12]}-kind": "continue"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    fields = client.get(
        reverse("meetings:decision_fields", kwargs={"pk": item.pk}),
        {f"d{item.pk.hex[:12]}-kind": "continue"},
        HTTP_HX_REQUEST="true",
    )
    assert fields.status_code == 403
