from cellule.access.current import current_membership, granting_memberships
from cellule.accounts.sessions import idle_seconds


def cells(request):
    """The user's cells for the header: the current one and the others to switch to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_membership": current_membership(request),
        "user_memberships": granting_memberships(request),
        "session_idle_seconds": idle_seconds(),
    }
