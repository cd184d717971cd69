"""Scoped fetches: the only way views and the API load one object.

Outside the user's scope the answer is a 404 (never a 403, which would confirm the object exists);
inside the scope but without the ability asked for, a 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cellule.accounts.models import Cell, Invitation, Membership


def _check(obj, user, ability: str):
    if not obj.abilities(user).get(ability, False):
        raise PermissionDenied
    return obj


def get_cell(user, pk, *, ability: str = "view") -> Cell:
    cell = get_object_or_404(Cell.objects.visible_to(user), pk=pk)
    return _check(cell, user, ability)


def get_membership(user, pk, *, ability: str = "view") -> Membership:
    membership = get_object_or_404(
        Membership.objects.visible_to(user).select_related("user", "cell", "user__organisation"),
        pk=pk,
    )
    return _check(membership, user, ability)


def get_own_membership(user, *, cell_id) -> Membership:
    """The user's own habilitation in a cell, in force (signed or not)."""
    return get_object_or_404(
        Membership.objects.filter(user=user).current().select_related("cell"), cell_id=cell_id
    )


def get_invitation(user, pk, *, ability: str = "view") -> Invitation:
    invitation = get_object_or_404(
        Invitation.objects.visible_to(user).select_related("cell"), pk=pk
    )
    return _check(invitation, user, ability)
