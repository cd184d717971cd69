"""What each role is, for the rules in this package. Roles themselves are in accounts.enums."""

from cellule.accounts.enums import Role

# See everything of their cell (the archive only with a stated reason).
CELL_WIDE = frozenset({Role.PRESIDENT, Role.COORDINATOR})
# Sit in the cell's séances and know who else does.
SITTING = frozenset({Role.PRESIDENT, Role.COORDINATOR, Role.MEMBER, Role.STATE_DELEGATE})
# Manage the cell: qualify, convene, manage its members and charter.
MANAGERS = frozenset({Role.COORDINATOR})


def roles_by_cell(user) -> dict:
    """{cell_id: role} for the memberships that grant access today, cached on the user object."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_cellule_roles", None)
    if cached is None:
        from cellule.accounts.models import Membership

        cached = dict(
            Membership.objects.filter(user=user).granting().values_list("cell_id", "role")
        )
        user._cellule_roles = cached
    return cached


def forget_roles(user) -> None:
    """To call after a membership or charter change within the same request."""
    user.__dict__.pop("_cellule_roles", None)


def role_in(user, cell_id):
    return roles_by_cell(user).get(cell_id)
