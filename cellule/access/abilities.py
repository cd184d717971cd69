"""What a user may do to one object: dicts of booleans read by views, templates and the API."""

from cellule.access.roles import MANAGERS, SITTING, role_in


def for_cell(cell, user) -> dict[str, bool]:
    role = role_in(user, cell.pk)
    return {
        "view": role is not None,
        "view_members": role in SITTING,
        "manage_members": role in MANAGERS,
        "edit_charter": role in MANAGERS,
    }


def for_membership(membership, user) -> dict[str, bool]:
    role = role_in(user, membership.cell_id)
    own = membership.user_id == user.pk
    manage = (
        role in MANAGERS and not own
    )  # a coordinator cannot lower or end their own habilitation
    return {
        "view": own or role in SITTING,
        "sign_charter": own and membership.is_current(),
        "edit": manage,
        "end": manage and membership.ended_at is None,
    }
