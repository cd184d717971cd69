"""The journal as the product writes it: authentication, habilitations, reads, and fail-closed."""

from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from cellule.accounts.enums import Role
from cellule.accounts.models import Membership
from cellule.journal import Action
from cellule.journal.models import AuditEvent
from tests.accounts.factories import PASSWORD, MembershipFactory, UserFactory
from tests.accounts.test_login import current_code
from tests.conftest import text

pytestmark = pytest.mark.django_db


def actions_of(user):
    return list(
        AuditEvent.objects.filter(actor_id=user.pk).order_by("seq").values_list("action", flat=True)
    )


def test_login_and_second_factor_are_journaled_with_ip(client, coordinator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.post(
        reverse("accounts:login"),
        {"username": coordinator.email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.8",
    )
    client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    TOTPDevice.objects.filter(user=coordinator).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    client.post(
        reverse("accounts:otp_verify"),
        {"code": current_code(TOTPDevice.objects.get(user=coordinator))},
    )
    client.post(reverse("accounts:logout"))
    assert actions_of(coordinator) == [
        Action.LOGIN,
        Action.OTP_FAILED,
        Action.OTP_VERIFIED,
        Action.LOGOUT,
    ]
    login = AuditEvent.objects.get(actor_id=coordinator.pk, action=Action.LOGIN)
    assert login.ip == "192.0.2.8" and login.request_id


def test_failed_logins_name_the_account_not_the_identifier(client):
    user = UserFactory()
    client.post(reverse("accounts:login"), {"username": user.email, "password": "faux"})
    client.post(reverse("accounts:login"), {"username": "inconnu@exemple.test", "password": "faux"})
    known, unknown = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("seq")
    assert (known.actor_id, known.target_id) == (None, str(user.pk))
    assert (unknown.actor_id, unknown.target_id) == (None, "")
    assert not AuditEvent.objects.filter(reason__contains="inconnu@exemple.test").exists()


def test_lockout_is_journaled(client, settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    reset()
    user = UserFactory()
    for _ in range(10):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "faux"})
    assert AuditEvent.objects.filter(action=Action.LOCKOUT, target_id=str(user.pk)).exists()
    reset()


def test_habilitation_changes_are_journaled_with_the_actors_role(
    client_for, coordinator, member, cell
):
    membership = member.memberships.get()
    client = client_for(coordinator)
    client.post(
        reverse("accounts:membership_edit", kwargs={"pk": membership.pk}),
        {"role": Role.STATE_DELEGATE},
    )
    client.post(reverse("accounts:membership_end", kwargs={"pk": membership.pk}))
    changed = AuditEvent.objects.get(action=Action.MEMBERSHIP_CHANGED)
    ended = AuditEvent.objects.get(action=Action.MEMBERSHIP_ENDED)
    for event in (changed, ended):
        assert event.actor_id == coordinator.pk
        assert event.actor_role == Role.COORDINATOR
        assert event.cell_id == cell.pk
        assert event.target_id == str(membership.pk)


def test_charter_signature_is_journaled(client_for, unsigned_member, cell):
    membership = unsigned_member.memberships.get()
    client_for(unsigned_member).post(
        reverse("accounts:charter_sign", kwargs={"pk": membership.pk}), {"accept": "on"}
    )
    event = AuditEvent.objects.get(action=Action.CHARTER_SIGNED)
    assert (event.actor_id, event.target_id, event.reason) == (
        unsigned_member.pk,
        str(membership.pk),
        "version 1",
    )


def test_member_list_records_one_event_with_the_ids_shown(client_for, coordinator, cell):
    others = [MembershipFactory(cell=cell) for _ in range(3)]
    client_for(coordinator).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    event = AuditEvent.objects.get(action=Action.MEMBER_LIST_VIEWED)
    shown = {str(m.pk) for m in [*others, coordinator.memberships.get()]}
    assert set(event.target_ids) == shown


def test_refused_access_inside_the_scope_is_journaled(client_for, member, coordinator):
    own = coordinator.memberships.get()
    assert (
        client_for(member)
        .get(reverse("accounts:membership_edit", kwargs={"pk": own.pk}))
        .status_code
        == 403
    )
    event = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (event.actor_id, event.target_id) == (member.pk, str(own.pk))


def journal_down():
    return mock.patch("cellule.journal.recording.append", side_effect=DatabaseError("disque plein"))


def test_a_read_fails_closed_when_the_journal_is_down(client_for, coordinator, member, cell):
    client = client_for(coordinator)
    with journal_down():
        response = client.get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    assert response.status_code == 503
    page = text(response)
    assert "Service momentanément indisponible" in page
    assert member.last_name not in page


def test_a_write_fails_closed_when_the_journal_is_down(client_for, coordinator, member):
    membership = member.memberships.get()
    client = client_for(coordinator)
    # The fetch journals too: let the read through, fail the write's event.
    calls = {"n": 0}
    from cellule.journal import recording

    real_append = recording.append

    def fail_second(**kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise DatabaseError("disque plein")
        return real_append(**kwargs)

    with mock.patch("cellule.journal.recording.append", side_effect=fail_second):
        response = client.post(
            reverse("accounts:membership_edit", kwargs={"pk": membership.pk}),
            {"role": Role.STATE_DELEGATE},
        )
    assert response.status_code == 503
    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER


def test_a_login_fails_closed_when_the_journal_is_down(member):
    client = Client()
    with journal_down():
        response = client.post(
            reverse("accounts:login"), {"username": member.email, "password": PASSWORD}
        )
    assert response.status_code == 503


# --- The DPO's journal -------------------------------------------------------------------------


def test_dpo_searches_the_journal_of_their_cells_only(client_for, dpo, coordinator, outsider, cell):
    client_for(coordinator).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    client_for(outsider).get(
        reverse("accounts:cell_detail", kwargs={"pk": outsider.memberships.get().cell_id})
    )

    page = client_for(dpo).get(
        reverse("journal:list"), {"user": coordinator.email, "action": Action.MEMBER_LIST_VIEWED}
    )
    rows = page.context["rows"]
    assert [event.action for event, _, _ in rows] == [Action.MEMBER_LIST_VIEWED]
    assert rows[0][1] == coordinator and rows[0][2] == cell
    # Said in French: the role and what was read, not their codes.
    assert rows[0][0].actor_role_label == "Coordonnateur"
    assert "<td>Coordonnateur</td>" in text(page) and "<td>coordinator</td>" not in text(page)

    everything = client_for(dpo).get(reverse("journal:list"))
    assert all(event.actor_id != outsider.pk for event, _, _ in everything.context["rows"])


def test_dpo_journal_filters_by_target_and_period(client_for, dpo, coordinator, member):
    membership = member.memberships.get()
    client_for(coordinator).get(reverse("accounts:membership_edit", kwargs={"pk": membership.pk}))
    client = client_for(dpo)
    rows = client.get(reverse("journal:list"), {"target": str(membership.pk)}).context["rows"]
    assert {event.target_id for event, _, _ in rows} == {str(membership.pk)}
    none = client.get(reverse("journal:list"), {"start": "2000-01-01", "end": "2000-01-31"})
    assert none.context["rows"] == []
    assert "Aucun événement ne correspond" in text(none)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05-02", "end": "2026-05-01"}, "La fin de la période précède son début."),
        ({"target": "pas-un-identifiant"}, "Saisissez un identifiant complet"),
        ({"start": "31/02/2026"}, "Saisissez une date valide."),
        ({"action": "effacer_tout"}, "Sélectionnez un choix valide."),
    ],
)
def test_dpo_journal_bad_filters_get_a_clear_message(client_for, dpo, params, message):
    response = client_for(dpo).get(reverse("journal:list"), params)
    assert response.status_code == 200
    assert message in text(response)
    assert response.context["rows"] == []


def test_dpo_journal_list_has_bounded_queries(
    client_for, dpo, coordinator, cell, django_assert_max_num_queries
):
    client = client_for(coordinator)
    for _ in range(30):
        client.get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    dpo_client = client_for(dpo)
    with django_assert_max_num_queries(22):
        response = dpo_client.get(reverse("journal:list"))
    assert len(response.context["rows"]) == 50


def test_csv_export_is_journaled_and_readable(client_for, dpo, coordinator, cell):
    client_for(coordinator).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    response = client_for(dpo).get(reverse("journal:export"), {"user": coordinator.email})
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeffn°;horodatage;utilisateur")
    assert coordinator.email in content
    assert "Consultation de la liste des membres" in content
    assert AuditEvent.objects.filter(actor_id=dpo.pk, action=Action.JOURNAL_EXPORTED).exists()
    assert response["Content-Disposition"].startswith('attachment; filename="journal-des-acces-')


def test_nobody_but_the_dpo_reads_the_journal(client_for, coordinator, admin_user):
    assert client_for(coordinator).get(reverse("journal:list")).status_code == 403
    assert client_for(admin_user).get(reverse("journal:export")).status_code == 403


def test_president_is_a_role_the_journal_records(client_for, president, cell):
    client_for(president).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    assert AuditEvent.objects.filter(actor_id=president.pk, actor_role=Role.PRESIDENT).exists()


def test_person_writes_and_reads_are_journaled_without_contents(client_for, coordinator, cell):
    from cellule import access
    from cellule.people import services
    from tests.people.factories import PersonFactory

    person = PersonFactory(cell=cell, by=coordinator, last_name="Canarinette")
    created = AuditEvent.objects.get(action=Action.RECORD_CREATED, target_id=str(person.pk))
    assert (created.actor_id, created.actor_role, created.cell_id) == (
        coordinator.pk,
        Role.COORDINATOR,
        cell.pk,
    )

    access.get_person(coordinator, person.pk)
    assert AuditEvent.objects.filter(action=Action.RECORD_VIEWED, target_id=str(person.pk)).exists()

    services.shred_person(person=person, reason="fiche créée par erreur", by=coordinator)
    assert AuditEvent.objects.filter(action=Action.RECORD_ERASED, target_id=str(person.pk)).exists()
    assert not AuditEvent.objects.filter(reason__icontains="canarinette").exists()


def test_dpo_journal_pages_by_seq_keep_the_filters(client_for, dpo, coordinator, cell):
    """Keyset pagination: older and newer pages by seq, filters kept, no event skipped or twice."""
    client = client_for(coordinator)
    for _ in range(55):
        client.get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    dpo_client = client_for(dpo)
    url = reverse("journal:list")
    filters = {"action": Action.MEMBER_LIST_VIEWED}
    first = dpo_client.get(url, filters)
    first_seqs = [event.seq for event, _, _ in first.context["rows"]]
    assert len(first_seqs) == 50 and first_seqs == sorted(first_seqs, reverse=True)
    assert first.context["newer_than"] is None
    older_link = f"?action=member_list_viewed&amp;avant={first_seqs[-1]}"
    assert older_link in first.content.decode()
    assert "Page" not in text(first).split("Événements n°")[0][-20:]

    second = dpo_client.get(url, {**filters, "avant": first_seqs[-1]})
    second_seqs = [event.seq for event, _, _ in second.context["rows"]]
    assert len(second_seqs) == 5 and max(second_seqs) < min(first_seqs)
    assert second.context["older_than"] is None
    assert f"apres={second_seqs[0]}" in second.content.decode()

    back = dpo_client.get(url, {**filters, "apres": second_seqs[0]})
    assert [event.seq for event, _, _ in back.context["rows"]] == first_seqs
    assert back.context["older_than"] == first_seqs[-1]


def test_dpo_journal_ignores_a_bad_page_position(client_for, dpo, coordinator, cell):
    client_for(coordinator).get(reverse("accounts:cell_detail", kwargs={"pk": cell.pk}))
    newest = client_for(dpo).get(reverse("journal:list")).context["rows"]
    for position in ("-3", "abc", "٣"):
        response = client_for(dpo).get(reverse("journal:list"), {"avant": position})
        assert response.status_code == 200
        assert [row[0].seq for row in response.context["rows"]] == [row[0].seq for row in newest]
