"""The cell an API request works in: ``?cell=`` when the user sits in several, like the header's
cell switcher of the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cellule.access.roles import roles_by_cell
from cellule.accounts.models import Cell

SEVERAL_CELLS = (
    "Vous êtes habilité(e) dans plusieurs cellules : précisez laquelle avec le paramètre "
    "« cell » (son identifiant)."
)


def working_cell(user, cell_id=None, *, roles=None, refusal: str):
    """(cell, role) for a request: the cell asked for, or the user's only one.

    404 for a cell where the user holds no habilitation in force (as for any object outside
    their scope); 422 when they hold several and did not say which; 403 (``refusal``) when they
    hold none, or when their role there is not one of ``roles``.
    """
    by_cell = roles_by_cell(user)
    if cell_id is None:
        if not by_cell:
            raise PermissionDenied(refusal)
        if len(by_cell) > 1:
            raise ValidationError({"query.cell": SEVERAL_CELLS})
        cell_id = next(iter(by_cell))
    elif cell_id not in by_cell:
        raise Http404
    role = by_cell[cell_id]
    if roles is not None and role not in roles:
        raise PermissionDenied(refusal)
    return Cell.objects.visible_to(user).get(pk=cell_id), role


def asked_cell_ids(user, cell_id=None) -> list:
    """The user's cells in force, or only the one asked for (404 outside them)."""
    by_cell = roles_by_cell(user)
    if cell_id is None:
        return list(by_cell)
    if cell_id not in by_cell:
        raise Http404
    return [cell_id]
