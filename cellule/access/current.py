"""The cell a user is working in (chosen in the header when they belong to several)."""

SESSION_KEY = "cellule_cell_id"


def granting_memberships(request) -> list:
    if not hasattr(request, "_cellule_memberships"):
        from cellule.accounts.models import Membership

        user = request.user
        if not user.is_authenticated:
            request._cellule_memberships = []
        else:
            request._cellule_memberships = list(
                Membership.objects.filter(user=user)
                .granting()
                .select_related("cell")
                .order_by("cell__kind", "cell__name")
            )
            # The same rows as the roles' cache (``roles.roles_by_cell``): one read for both.
            if getattr(user, "_cellule_roles", None) is None:
                user._cellule_roles = {m.cell_id: m.role for m in request._cellule_memberships}
    return request._cellule_memberships


def current_membership(request):
    memberships = granting_memberships(request)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in memberships:
        if str(membership.cell_id) == wanted:
            return membership
    return memberships[0]


def set_current_cell(request, cell_id) -> bool:
    if any(m.cell_id == cell_id for m in granting_memberships(request)):
        request.session[SESSION_KEY] = str(cell_id)
        return True
    return False
