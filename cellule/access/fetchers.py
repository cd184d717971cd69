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


# --- Séances (meetings): FETCHERS HERE ---------------------------------------------------------


# --- Transmissions (exchanges): FETCHERS HERE --------------------------------------------------
