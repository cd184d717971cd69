from cellule.access.abilities import EXCHANGE_FOLLOWERS
from cellule.access.abilities import PERSON_RECORDERS as SIGNALEMENT_FILERS
from cellule.access.current import current_membership, granting_memberships
from cellule.access.roles import CELL_WIDE, SITTING
from cellule.accounts.sessions import idle_seconds


def cells(request):
    """The user's cells for the header: the current one and the others to switch to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = current_membership(request)
    role = membership.role if membership else None
    return {
        "nav_file_signalement": role in SIGNALEMENT_FILERS,
        "nav_qualify": role in CELL_WIDE,
        "nav_situations": role in SITTING,
        "nav_exchanges": role in EXCHANGE_FOLLOWERS,
        "current_membership": membership,
        "user_memberships": granting_memberships(request),
        "session_idle_seconds": idle_seconds(),
    }
