"""Scoped fetches: the only way views and the API load one object.

Outside the user's scope the answer is a 404 (never a 403, which would confirm the object exists);
inside the scope but without the ability asked for, a 403. Every fetch that returns an object is
journaled, and so is every refusal inside the scope; if the journal cannot be written, nothing is
returned (JournalUnavailable, a 503).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cellule.access.journaling import Action, journal_event
from cellule.accounts.models import Cell, Invitation, Membership
from cellule.people.models import Person
from cellule.reports.models import Signalement


def _checked(obj, user, ability: str, *, action=Action.RECORD_VIEWED, reason: str = ""):
    if not obj.abilities(user).get(ability, False):
        journal_event(
            user, Action.ACCESS_DENIED, target=obj, reason=f"capacité demandée : {ability}"
        )
        raise PermissionDenied
    journal_event(user, action, target=obj, reason=reason)
    return obj


def get_cell(user, pk, *, ability: str = "view") -> Cell:
    cell = get_object_or_404(Cell.objects.visible_to(user), pk=pk)
    return _checked(cell, user, ability, action=Action.CELL_VIEWED)


def get_membership(user, pk, *, ability: str = "view") -> Membership:
    membership = get_object_or_404(
        Membership.objects.visible_to(user).select_related("user", "cell", "user__organisation"),
        pk=pk,
    )
    return _checked(membership, user, ability)


def get_own_membership(user, *, cell_id) -> Membership:
    """The user's own habilitation in a cell, in force (signed or not)."""
    membership = get_object_or_404(
        Membership.objects.filter(user=user).current().select_related("cell"), cell_id=cell_id
    )
    journal_event(user, Action.RECORD_VIEWED, target=membership)
    return membership


def get_invitation(user, pk, *, ability: str = "view") -> Invitation:
    invitation = get_object_or_404(
        Invitation.objects.visible_to(user).select_related("cell"), pk=pk
    )
    return _checked(invitation, user, ability)


def get_person(user, pk, *, ability: str = "view") -> Person:
    """A person concerned; the read is journaled before anything is decrypted or shown."""
    person = get_object_or_404(
        Person.objects.visible_to(user).with_keys().select_related("cell", "commune"), pk=pk
    )
    return _checked(person, user, ability)


def get_signalement(user, pk, *, ability: str = "view") -> Signalement:
    signalement = get_object_or_404(
        Signalement.objects.visible_to(user).select_related("cell", "reporter", "person__key"),
        pk=pk,
    )
    return _checked(signalement, user, ability)


def get_situation(user, pk, *, ability: str = "view", reason: str | None = None):
    """A situation; an archived one only with ability ``view_archived`` and a stated reason,
    which the journal keeps with the read."""
    from cellule.cases.models import Situation

    situation = get_object_or_404(
        Situation.objects.visible_to(user).select_related(
            "cell", "person__key", "person__commune", "referent"
        ),
        pk=pk,
    )
    reason = (reason or "").strip()
    if ability == "view_archived" and not reason:
        raise PermissionDenied("Indiquez le motif de la consultation de la situation archivée.")
    return _checked(situation, user, ability, reason=reason)


def get_measure(user, pk, *, ability: str = "view"):
    """A measure: for its provider's members, the restricted view (no origin report)."""
    from cellule.cases.models import Measure

    measure = get_object_or_404(
        Measure.objects.visible_to(user).select_related(
            "situation__cell",
            "situation__person__key",
            "situation__referent",
            "provider",
            "referent",
        ),
        pk=pk,
    )
    return _checked(measure, user, ability)


# --- RGPD (privacy) -----------------------------------------------------------------------------


def get_legal_hold(user, pk, *, ability: str = "view"):
    from cellule.privacy.models import LegalHold

    hold = get_object_or_404(
        LegalHold.objects.visible_to(user).select_related(
            "cell", "situation__person__key", "signalement__person__key", "placed_by", "lifted_by"
        ),
        pk=pk,
    )
    return _checked(hold, user, ability)


def get_purge_certificate(user, pk, *, ability: str = "view"):
    from cellule.privacy.models import PurgeCertificate

    certificate = get_object_or_404(PurgeCertificate.objects.visible_to(user), pk=pk)
    return _checked(certificate, user, ability)


def get_rights_request(user, pk, *, ability: str = "view"):
    """A rights request: the requester's identity is decrypted only after this read is journaled."""
    from cellule.privacy.models import RightsRequest

    request = get_object_or_404(
        RightsRequest.objects.visible_to(user).select_related(
            "cell", "person__key", "person__cell", "created_by"
        ),
        pk=pk,
    )
    return _checked(request, user, ability)


# --- Séances (meetings): FETCHERS HERE ---------------------------------------------------------


def get_seance(user, pk, *, ability: str = "view"):
    from cellule.meetings.models import Seance

    seance = get_object_or_404(Seance.objects.visible_to(user).select_related("cell"), pk=pk)
    return _checked(seance, user, ability)


def get_agenda_item(user, pk, *, ability: str = "view"):
    """An item of an agenda; the page decides whether its person's name may be shown."""
    from cellule.meetings.models import AgendaItem

    item = get_object_or_404(
        AgendaItem.objects.visible_to(user).select_related(
            "seance__cell",
            "situation__person__key",
            "situation__cell",
            "situation__referent",
            "signalement__person__key",
        ),
        pk=pk,
    )
    return _checked(item, user, ability)


def get_attendee(user, pk, *, ability: str = "view"):
    """Someone convened to a séance the user sees (their attendance, their acknowledgement)."""
    from cellule.meetings.models import Attendee, Seance

    attendee = get_object_or_404(
        Attendee.objects.filter(seance__in=Seance.objects.visible_to(user)).select_related(
            "seance__cell", "user"
        ),
        pk=pk,
    )
    return _checked(attendee, user, ability)


# --- Transmissions (exchanges): FETCHERS HERE --------------------------------------------------


def get_transmission(user, pk, *, ability: str = "view"):
    """A transmission, journaled in the cell through which the user deals with it (the sender's
    or the receiver's: each side's journal shows its own reads)."""
    from cellule.exchanges.models import Transmission

    transmission = get_object_or_404(
        Transmission.objects.visible_to(user).select_related(
            "from_cell", "to_cell", "key", "created_by", "sent_by", "acknowledged_by"
        ),
        pk=pk,
    )
    cell = transmission.side_of(user)
    if not transmission.abilities(user).get(ability, False):
        journal_event(
            user,
            Action.ACCESS_DENIED,
            target=transmission,
            cell=cell,
            reason=f"capacité demandée : {ability}",
        )
        raise PermissionDenied
    journal_event(user, Action.RECORD_VIEWED, target=transmission, cell=cell)
    return transmission


def get_situation_to_transmit(user, pk):
    """A situation whose signalement à l'État the user is about to write: 404 outside the scope,
    403 without the right to transmit; the read is journaled (the form shows the person)."""
    from cellule.access.abilities import may_transmit_situation
    from cellule.cases.models import Situation

    situation = get_object_or_404(
        Situation.objects.visible_to(user).select_related(
            "cell", "person__key", "person__commune", "referent"
        ),
        pk=pk,
    )
    if not may_transmit_situation(situation, user):
        journal_event(
            user, Action.ACCESS_DENIED, target=situation, reason="capacité demandée : transmit"
        )
        raise PermissionDenied
    journal_event(user, Action.RECORD_VIEWED, target=situation, reason="transmission à l'État")
    return situation
