"""Journal events as seen from access/: the actor's role in the cell is the one recorded."""

from cellule import journal
from cellule.access.roles import role_in
from cellule.journal import Action

__all__ = ["Action", "journal_event"]


def _cell_id(target, cell):
    if cell is not None:
        return getattr(cell, "pk", cell)
    if target is None:
        return None
    if target._meta.label_lower == "accounts.cell":
        return target.pk
    return getattr(target, "cell_id", None)


def journal_event(user, action, *, target=None, cell=None, reason="", target_ids=None, **extra):
    """Records one event for `user` (None when anonymous), with their role in the target's cell."""
    cell_id = _cell_id(target, cell)
    role = ""
    if user is not None and getattr(user, "is_authenticated", False):
        role = (role_in(user, cell_id) if cell_id else "") or user.global_role
    else:
        user = None
    return journal.record(
        actor=user,
        action=action,
        target=target,
        cell=cell_id,
        reason=reason,
        target_ids=target_ids,
        role=role,
        **extra,
    )
