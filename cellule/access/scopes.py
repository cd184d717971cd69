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
    in_cells, of_members = journal_event_parts(queryset, user)
    return in_cells | of_members


def journal_event_parts(queryset, user):
    """``journal_events`` as its two disjoint parts: (the events in the cells, the account events
    (no cell) of their members). Queried apart, each walks its own index ordered by seq, which
    their OR keeps PostgreSQL from doing (docs/bench.md)."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.is_dpo
        or not user.organisation_id
    ):
        return queryset.none(), queryset.none()
    from cellule.accounts.models import Cell, Membership

    cell_ids = list(
        Cell.objects.filter(organisation_id=user.organisation_id).values_list("pk", flat=True)
    )
    actor_ids = list(
        Membership.objects.filter(cell_id__in=cell_ids).values_list("user_id", flat=True).distinct()
    )
    return (
        queryset.filter(cell_id__in=cell_ids),
        queryset.filter(cell_id__isnull=True, actor_id__in=actor_ids),
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
        # Séances: the situations on the agenda of a restreinte séance the user is convened to,
        # from the convocation to 30 days after the séance (see convened_situation_ids).
        follows |= Q(pk__in=convened_situations(user))
        grant |= Q(cell_id__in=sitting) & follows & ~Q(status=SituationStatus.ARCHIVED)
    return queryset.filter(grant)


def measures(queryset, user):
    """Measures of the situations a user may see (the provider's members: their organisation's)."""
    from cellule.cases.models import Situation

    return queryset.filter(situation__in=situations(Situation.objects.all(), user))


# --- RGPD (privacy) -----------------------------------------------------------------------------


def dpo_cell_ids(user) -> list:
    """The cells whose controller is the DPO's organisation (none for anyone else)."""
    if not user.is_authenticated or not user.is_active or not user.is_dpo:
        return []
    if not user.organisation_id:
        return []
    from cellule.accounts.models import Cell

    return list(
        Cell.objects.filter(organisation_id=user.organisation_id).values_list("pk", flat=True)
    )


def legal_holds(queryset, user):
    """Legal holds: the president and coordinator of the cell, and its DPO (who sees the ground
    and dates, not the detail, which is sealed under the person's key)."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    cell_ids = [c for c, role in roles_by_cell(user).items() if role in CELL_WIDE]
    cell_ids += dpo_cell_ids(user)
    return queryset.filter(cell_id__in=cell_ids) if cell_ids else queryset.none()


def purge_certificates(queryset, user):
    """Purge certificates hold counts only: the DPO, and the president and coordinator of any
    cell, see them (each sees the lines of their own cells: see the view)."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if dpo_cell_ids(user) or any(role in CELL_WIDE for role in roles_by_cell(user).values()):
        return queryset
    return queryset.none()


def rights_requests(queryset, user):
    """Requests to exercise a right: the DPO of the cell's controller and the cell's
    coordinator, who handle them together. Nobody else, not the president."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    cell_ids = [c for c, role in roles_by_cell(user).items() if role in MANAGERS]
    cell_ids += dpo_cell_ids(user)
    return queryset.filter(cell_id__in=cell_ids) if cell_ids else queryset.none()


# --- Séances (meetings): SCOPES HERE -----------------------------------------------------------


def _attending_cells(user, roles) -> list:
    """Cells where the user may sit or be invited without seeing everything."""
    from cellule.accounts.enums import Role

    return [
        cell_id
        for cell_id, role in roles.items()
        if (role in SITTING and role not in CELL_WIDE) or role == Role.GUEST
    ]


def convened_seances(user, *, now=None):
    """Ids of the restreinte séances (the nominative format) a member or state delegate is
    convened to, from the convocation to 30 days after the séance."""
    from datetime import timedelta

    from django.utils import timezone

    from cellule.meetings.enums import AttendeeKind, SeanceFormat
    from cellule.meetings.models import MEMBER_WINDOW_DAYS, Attendee

    now = now or timezone.now()
    sitting = [
        cell_id
        for cell_id, role in roles_by_cell(user).items()
        if role in SITTING and role not in CELL_WIDE
    ]
    return Attendee.objects.filter(
        user=user,
        kind=AttendeeKind.MEMBER,
        convened_at__lte=now,
        seance__cell_id__in=sitting,
        seance__format=SeanceFormat.RESTRICTED,
        seance__starts_at__gte=now - timedelta(days=MEMBER_WINDOW_DAYS),
    ).values("seance_id")


def convened_situations(user):
    """Ids of the situations on the agenda of those séances (a subquery)."""
    from cellule.meetings.models import AgendaItem

    return AgendaItem.objects.filter(
        seance_id__in=convened_seances(user), situation__isnull=False
    ).values("situation_id")


def seances(queryset, user):
    """The president and coordinator see every séance of their cell; a member, state delegate or
    guest, the séances they are convened or invited to (date and place; the agenda is redacted
    by the page). Reporters, the administrator and the DPO see none."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    from cellule.meetings.models import Attendee

    roles = roles_by_cell(user)
    cell_wide = [cell_id for cell_id, role in roles.items() if role in CELL_WIDE]
    attending = _attending_cells(user, roles)
    if not cell_wide and not attending:
        return queryset.none()
    grant = Q(cell_id__in=cell_wide)
    if attending:
        grant |= Q(
            cell_id__in=attending,
            pk__in=Attendee.objects.filter(user=user, convened_at__isnull=False).values(
                "seance_id"
            ),
        )
    return queryset.filter(grant)


def agenda_items(queryset, user, *, now=None):
    """Agenda items: all of their cell's for the president and coordinator; those of the séances
    they are convened to for a member or state delegate (names only where ``situations`` lets
    them: the page redacts the rest); for a guest, only the items they are invited to, during the
    séance window, once they have acknowledged its confidentiality."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    from django.utils import timezone

    from cellule.accounts.enums import Role
    from cellule.meetings.enums import AttendeeKind, SeanceStatus
    from cellule.meetings.models import GUEST_MARGIN, Attendee

    now = now or timezone.now()
    roles = roles_by_cell(user)
    cell_wide = [cell_id for cell_id, role in roles.items() if role in CELL_WIDE]
    sitting = [
        cell_id for cell_id, role in roles.items() if role in SITTING and role not in CELL_WIDE
    ]
    guest = [cell_id for cell_id, role in roles.items() if role == Role.GUEST]
    if not cell_wide and not sitting and not guest:
        return queryset.none()
    grant = Q(seance__cell_id__in=cell_wide)
    if sitting:
        grant |= Q(
            seance__cell_id__in=sitting,
            seance_id__in=Attendee.objects.filter(
                user=user, kind=AttendeeKind.MEMBER, convened_at__isnull=False
            ).values("seance_id"),
        )
    if guest:
        invited = Attendee.items.through.objects.filter(
            attendee__user=user,
            attendee__kind=AttendeeKind.GUEST,
            attendee__convened_at__isnull=False,
            attendee__acknowledged_at__isnull=False,
        ).values("agendaitem_id")
        grant |= Q(
            seance__cell_id__in=guest,
            pk__in=invited,
            seance__status=SeanceStatus.PLANNED,
            seance__starts_at__lte=now + GUEST_MARGIN,
            seance__ends_at__gte=now - GUEST_MARGIN,
        )
    return queryset.filter(grant)


# --- Transmissions (exchanges): SCOPES HERE ----------------------------------------------------


def transmissions(queryset, user):
    """Transmissions between a commune and the State. The president and coordinator of a cell, and
    its state delegate, see the exchanges of their cell with the State, both ways (signalements,
    feedback, general briefings). A state_information (préfet → maire) is seen by the president
    and coordinator of the préfecture's cell that writes it, and, once sent, by its named
    recipients only, whatever their role. Members, reporters, guests, the administrator and the
    DPO see none."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    from cellule.accounts.enums import Role
    from cellule.exchanges.enums import TransmissionKind
    from cellule.exchanges.models import Recipient

    roles = roles_by_cell(user)
    if not roles:
        return queryset.none()
    followers = [c for c, r in roles.items() if r in CELL_WIDE or r == Role.STATE_DELEGATE]
    cell_wide = [c for c, r in roles.items() if r in CELL_WIDE]
    information = Q(kind=TransmissionKind.STATE_INFORMATION)
    grant = Q(pk__in=[])
    if followers:
        grant |= ~information & (Q(from_cell_id__in=followers) | Q(to_cell_id__in=followers))
    if cell_wide:
        grant |= information & Q(from_cell_id__in=cell_wide)
    named = Recipient.objects.filter(user=user).values("transmission_id")
    grant |= information & Q(sent_at__isnull=False, to_cell_id__in=list(roles), pk__in=named)
    return queryset.filter(grant)
