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
    """Persons concerned: the president and coordinator of their cell; a member or state delegate,
    the person of a (not archived) situation they follow as référent or measure provider.
    Reporters never see persons, not even the ones they reported; the administrator and the DPO
    do not either.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    roles = roles_by_cell(user)
    cell_ids = [cell_id for cell_id, role in roles.items() if role in CELL_WIDE]
    grant = Q(cell_id__in=cell_ids) if cell_ids else None
    if any(role in SITTING and role not in CELL_WIDE for role in roles.values()):
        from cellule.cases.models import Situation

        # Members see the person of a situation they follow (as référent or measure provider).
        followed = Q(pk__in=Situation.objects.visible_to(user).current().values("person_id"))
        grant = followed if grant is None else grant | followed
    return queryset.filter(grant) if grant is not None else queryset.none()


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


def notifications(queryset, user):
    """One's own notifications, and nobody else's: not the administrator's, not the DPO's."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    return queryset.filter(recipient=user)


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


# --- Situations (cases) -------------------------------------------------------------------------


def situations(queryset, user):
    """Situations: the president and coordinator see every situation of their cell (the archived
    ones too, but get_situation asks them a reason for those); a member or state delegate sees the
    open or closed situations where they are référent de parcours or where their organisation
    provides a measure (a provider only through the restricted view: see abilities). Reporters,
    guests, the administrator and the DPO see none."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    from cellule.cases.enums import SituationStatus
    from cellule.cases.models import Measure

    roles = roles_by_cell(user)
    cell_wide = [cell_id for cell_id, role in roles.items() if role in CELL_WIDE]
    sitting = [
        cell_id for cell_id, role in roles.items() if role in SITTING and role not in CELL_WIDE
    ]
    if not cell_wide and not sitting:
        return queryset.none()
    grant = Q(cell_id__in=cell_wide)
    if sitting:
        follows = Q(referent=user)
        if user.organisation_id:
            follows |= Q(
                pk__in=Measure.objects.filter(provider_id=user.organisation_id)
                .exclude(status="refused")  # a refused measure gives its provider nothing more
                .values("situation_id")
            )
        # HOOK (séances issue): | situations on the agenda of a séance the user is convened to,
        # from the convocation to 30 days after the séance.
        grant |= Q(cell_id__in=sitting) & follows & ~Q(status=SituationStatus.ARCHIVED)
    return queryset.filter(grant)


def measures(queryset, user):
    """Measures of the situations a user may see (the provider's members: their organisation's)."""
    from cellule.cases.models import Situation

    return queryset.filter(situation__in=situations(Situation.objects.all(), user))


# --- Séances (meetings): SCOPES HERE -----------------------------------------------------------


# --- Transmissions (exchanges): SCOPES HERE ----------------------------------------------------
