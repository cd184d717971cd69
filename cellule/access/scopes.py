"""Which rows each user may see. Every ``visible_to(user)`` delegates here; deny by default."""

from django.db.models import Q

from cellule.access.roles import MANAGERS, SITTING, roles_by_cell


def cells(queryset, user):
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_admin:
        return queryset  # reference data: the administrator configures every cell
    if user.is_dpo and user.organisation_id:
        return queryset.filter(organisation_id=user.organisation_id)
    cell_ids = list(roles_by_cell(user))
    if cell_ids:
        return queryset.filter(pk__in=cell_ids)
    return queryset.none()


def invitations(queryset, user):
    """The administrator sees them all (they invite coordinators); a coordinator, their cells'."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_admin:
        return queryset
    managed = [cell_id for cell_id, role in roles_by_cell(user).items() if role in MANAGERS]
    if managed:
        return queryset.filter(cell_id__in=managed)
    return queryset.none()


def memberships(queryset, user):
    """Own memberships, and the members of the cells where the user sits."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_admin:
        return queryset
    sitting = [cell_id for cell_id, role in roles_by_cell(user).items() if role in SITTING]
    if user.is_dpo and user.organisation_id:
        return queryset.filter(cell__organisation_id=user.organisation_id)
    return queryset.filter(Q(user=user) | Q(cell_id__in=sitting))
