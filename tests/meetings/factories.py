"""Séances made through the services: planned, convened, held, validated, the real way."""

from datetime import timedelta

from django.utils import timezone

from cellule.meetings import services
from cellule.meetings.enums import Attendance, DecisionKind, SeanceFormat
from cellule.meetings.models import Attendee, Seance
from tests.people.factories import coordinator_of


def plan(cell, *, members, by=None, starts_at=None, hours=2, format=SeanceFormat.RESTRICTED):
    """A séance planned by the coordinator (in ten days unless told), agenda proposed."""
    by = by or coordinator_of(cell)
    starts_at = starts_at or timezone.now() + timedelta(days=10)
    return services.plan_seance(
        cell=cell,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place="Hôtel de ville, salle du conseil",
        format=format,
        members=members,
        by=by,
    )


def move(seance, starts_at, *, hours=2) -> Seance:
    """Moves a séance in time (planning refuses the past): its start, end and convocations."""
    Seance.objects.filter(pk=seance.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours)
    )
    if seance.convened_at:
        earlier = min(starts_at, timezone.now()) - timedelta(days=7)
        Seance.objects.filter(pk=seance.pk).update(convened_at=earlier)
        Attendee.objects.filter(seance=seance, convened_at__isnull=False).update(
            convened_at=earlier
        )
    return Seance.objects.get(pk=seance.pk)


def started(cell, *, members, by=None, format=SeanceFormat.RESTRICTED, convene=True):
    """A séance that began ten minutes ago (convened a week before)."""
    by = by or coordinator_of(cell)
    seance = plan(cell, members=members, by=by, format=format)
    if convene:
        seance = services.convene_seance(seance=seance, by=by)
    return move(seance, timezone.now() - timedelta(minutes=10))


def attendee(seance, user) -> Attendee:
    return seance.attendees.get(user=user)


def hold(seance, *, by=None, decisions=None, kind=DecisionKind.CONTINUE) -> Seance:
    """Every attendee present and acknowledged, every item decided, the séance closed."""
    by = by or coordinator_of(seance.cell)
    present = []
    for a in seance.attendees.select_related("user"):
        services.record_attendance(attendee=a, attendance=Attendance.PRESENT, by=by)
        services.acknowledge_confidentiality(attendee=a, by=by)
        if a.kind == "member":
            present.append(a.user)
    for item in seance.items.all():
        services.record_decision(
            item=item,
            kind=(decisions or {}).get(item.pk, kind),
            text="Poursuivre : point au prochain trimestre.",
            taken_by=present,
            details=services.DecisionDetails(),
            by=by,
        )
    return services.close_seance(seance=Seance.objects.get(pk=seance.pk), by=by)


class WorldMeetings:
    """What the access matrix needs around ``world``: a séance under way (the member and the
    state delegate convened; the guest invited for one item, which is not the member's
    situation), a held one, and one with its relevé validated. Made on first use."""

    def __init__(self, world):
        from tests.cases.factories import open_situation, world_situations

        actors = world.actors
        coordinator = actors["coordinator"]
        situations = world_situations(world)
        self.situation = situations.situation  # the member is its référent
        self.other = open_situation(
            world.cell,
            by=coordinator,
            reporter=actors["reporter"],
            last_name="Roux",
            first_name="Anna",
        )
        members = [
            actors[role] for role in ("president", "coordinator", "member", "state_delegate")
        ]
        seance = plan(world.cell, members=members, by=coordinator)
        self.item = seance.items.get(situation=self.situation)
        self.other_item = seance.items.get(situation=self.other)
        services.invite_guest(
            seance=seance, user=actors["guest"], items=[self.other_item], by=coordinator
        )
        seance = services.convene_seance(seance=seance, by=coordinator)
        self.seance = move(seance, timezone.now() - timedelta(minutes=10))
        services.acknowledge_confidentiality(
            attendee=attendee(self.seance, actors["guest"]), by=actors["guest"]
        )
        self.member_attendee = attendee(self.seance, actors["member"])

        def past(days):
            s = services.convene_seance(
                seance=plan(world.cell, members=members, by=coordinator), by=coordinator
            )
            return hold(move(s, timezone.now() - timedelta(days=days)), by=coordinator)

        self.held = past(3)
        self.validated = services.validate_minutes(seance=past(5), by=actors["president"])


def world_meetings(world) -> WorldMeetings:
    if getattr(world, "_meetings", None) is None:
        world._meetings = WorldMeetings(world)
    return world._meetings
