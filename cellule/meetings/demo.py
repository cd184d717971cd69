"""Demo séances for Miramas: one held about 25 days ago with its relevé validated, and the next
one in about 10 days, convened, with the agenda proposed from the situations to review and a
guest invited for one item. Made through the services; created once."""

from datetime import timedelta

from django.utils import timezone

from cellule.cases.models import Situation
from cellule.meetings import services
from cellule.meetings.enums import Attendance, DecisionKind, SeanceFormat
from cellule.meetings.models import Attendee, Decision, Seance


def _at(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(
        timezone.datetime(day.year, day.month, day.day, hour, 0),
        timezone.get_current_timezone(),
    )


def _members(cell):
    return [m.user for m in services.sitting_memberships(cell)]


def _past_seance(cell, users) -> None:
    coordinator = users["coordination.miramas"]
    seance = services.plan_seance(
        cell=cell,
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=3),
        place="Hôtel de ville de Miramas, salle du conseil",
        format=SeanceFormat.RESTRICTED,
        members=_members(cell),
        by=coordinator,
    )
    services.convene_seance(seance=seance, by=coordinator)
    starts = _at(-25, 14)
    Seance.objects.filter(pk=seance.pk).update(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        convened_at=starts - timedelta(days=14),
    )
    Attendee.objects.filter(seance=seance).update(convened_at=starts - timedelta(days=14))
    seance.refresh_from_db()
    for attendee in seance.attendees.select_related("user"):
        away = attendee.user.email.startswith("mission-locale")
        services.record_attendance(
            attendee=attendee,
            attendance=Attendance.EXCUSED if away else Attendance.PRESENT,
            by=coordinator,
        )
        if not away:
            services.acknowledge_confidentiality(attendee=attendee, by=attendee.user)
    Attendee.objects.filter(seance=seance, acknowledged_at__isnull=False).update(
        acknowledged_at=starts - timedelta(minutes=10)
    )
    present = [
        a.user
        for a in seance.attendees.filter(attendance=Attendance.PRESENT).select_related("user")
    ]
    today = timezone.localdate()
    for item in seance.items.select_related("situation"):
        watch = item.situation is not None and item.situation.status == "watch"
        services.record_decision(
            item=item,
            kind=DecisionKind.ADJOURN if watch else DecisionKind.CONTINUE,
            text=(
                "L'éducateur référent n'a pas pu venir : point reporté à la prochaine séance."
                if watch
                else "Poursuivre l'accompagnement familial avec le CCAS ; la mission locale "
                "propose un atelier d'orientation."
            ),
            taken_by=present,
            details=services.DecisionDetails(
                next_review_on=None if watch else today + timedelta(days=6)
            ),
            by=coordinator,
        )
    Decision.objects.filter(item__seance=seance).update(recorded_at=starts + timedelta(minutes=40))
    seance = services.close_seance(seance=seance, by=coordinator)
    services.validate_minutes(seance=seance, by=users["maire.miramas"])
    Seance.objects.filter(pk=seance.pk).update(
        held_at=starts + timedelta(hours=2), minutes_validated_at=starts + timedelta(days=2)
    )


def _next_seance(cell, users) -> None:
    coordinator = users["coordination.miramas"]
    starts = _at(10, 14)
    seance = services.plan_seance(
        cell=cell,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Centre communal d'action sociale de Miramas, salle 2",
        format=SeanceFormat.RESTRICTED,
        members=_members(cell),
        by=coordinator,
    )
    watched = seance.items.filter(situation__status="watch").first()
    if watched is not None:
        services.invite_guest(
            seance=seance, user=users["invite.miramas"], items=[watched], by=coordinator
        )
    services.convene_seance(seance=seance, by=coordinator)


def seed_meetings(cells, users) -> None:
    cell = cells["miramas"]
    if Seance.objects.filter(cell=cell).exists():
        return
    if not Situation.objects.filter(cell=cell).open().exists():
        return  # nothing to put on an agenda
    _past_seance(cell, users)
    _next_seance(cell, users)
