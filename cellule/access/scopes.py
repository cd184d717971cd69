"""Which rows each user may see. Every ``visible_to(user)`` delegates here; deny by default."""

from django.db.models import Q

from cellule.access.roles import CELL_WIDE, MANAGERS, SITTING, roles_by_cell


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


def persons(queryset, user):
    """Persons concerned: the president and coordinator of their cell, and nobody else for now.

    Members will see the persons of the situations they follow (situations issue). Reporters never
    see persons, not even the ones they reported; the administrator and the DPO do not either.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    cell_ids = [cell_id for cell_id, role in roles_by_cell(user).items() if role in CELL_WIDE]
    if cell_ids:
        return queryset.filter(cell_id__in=cell_ids)
    return queryset.none()


def legal_representatives(queryset, user):
    """A minor's legal representatives: whoever sees the minor."""
    from cellule.people.models import Person

    return queryset.filter(person__in=persons(Person.objects.all(), user))


def journal_events(queryset, user):
    """The DPO reads the journal of the cells of their controller: the events in those cells, and
    the account events (logins, failures...) of the people habilitated there. Nobody else."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.is_dpo
        or not user.organisation_id
    ):
        return queryset.none()
    from cellule.accounts.models import Cell, Membership

    cell_ids = list(
        Cell.objects.filter(organisation_id=user.organisation_id).values_list("pk", flat=True)
    )
    actor_ids = list(
        Membership.objects.filter(cell_id__in=cell_ids).values_list("user_id", flat=True).distinct()
    )
    return queryset.filter(
        Q(cell_id__in=cell_ids) | Q(cell_id__isnull=True, actor_id__in=actor_ids)
    )


def signalements(queryset, user):
    """Reports, in full: the president and coordinator of their cell. Members will see those of
    the situations they follow (situations issue); a reporter sees only the minimal status of
    their own (``own_signalements``); the administrator and the DPO see none."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    cell_ids = [cell_id for cell_id, role in roles_by_cell(user).items() if role in CELL_WIDE]
    if cell_ids:
        return queryset.filter(cell_id__in=cell_ids)
    return queryset.none()


def own_signalements(queryset, user):
    """The reports a user filed, in the cells where they are habilitated today."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    cell_ids = list(roles_by_cell(user))
    return queryset.filter(reporter=user, cell_id__in=cell_ids) if cell_ids else queryset.none()
