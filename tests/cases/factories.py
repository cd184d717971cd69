"""Situations made the real way: a report filed, qualified « agenda » by the coordinator."""

from datetime import timedelta

from django.utils import timezone

from cellule.cases import services
from cellule.cases.enums import MeasureKind
from cellule.reports import services as report_services
from tests.people.factories import coordinator_of
from tests.reports.factories import file_signalement


def open_situation(cell, *, by=None, reporter=None, **identity):
    """A situation opened by the qualification of a new report (distinct names avoid the
    duplicate check; pass last_name/first_name/birth_date to choose)."""
    by = by or coordinator_of(cell)
    identity.setdefault("last_name", "Martin")
    identity.setdefault("first_name", "Léa")
    signalement = file_signalement(cell, by=reporter, **identity)
    report_services.confirm_new_person(signalement=signalement, by=by)
    report_services.qualify_signalement(
        signalement=signalement,
        decision=report_services.Qualification(agenda=True, reason="Examen en séance."),
        by=by,
    )
    signalement.refresh_from_db()
    return signalement.situation


def measure(situation, *, provider, by, kind=MeasureKind.SCHOOLING, accepted=False, **kwargs):
    m = services.propose_measure(situation=situation, kind=kind, provider=provider, by=by, **kwargs)
    if accepted:
        m = services.record_consent(
            measure=m,
            accepted=True,
            answered_on=timezone.localdate(),
            parental_consent_on=timezone.localdate() if situation.person.is_minor else None,
            by=by,
        )
    return m


def closed_situation(cell, *, by=None, **identity):
    by = by or coordinator_of(cell)
    situation = open_situation(cell, by=by, **identity)
    return services.close_situation(
        situation=situation, reason="not_confirmed", text="Inquiétude levée.", reviews=[], by=by
    )


def archived_situation(cell, *, by=None, **identity):
    situation = closed_situation(cell, by=by, **identity)
    services.archive_due_situations(now=timezone.now() + timedelta(days=31))
    situation.refresh_from_db()
    return situation


class WorldSituations:
    """What the access matrix needs around ``world``: made on first use, once per test."""

    def __init__(self, world):
        coordinator = world.actors["coordinator"]
        member = world.actors["member"]
        provider = world.actors["state_delegate"].organisation
        self.situation = open_situation(
            world.cell, by=coordinator, reporter=world.actors["reporter"]
        )
        services.assign_referent(situation=self.situation, referent=member, by=coordinator)
        self.accepted = measure(self.situation, provider=provider, by=coordinator, accepted=True)
        self.proposed = measure(
            self.situation, provider=provider, by=coordinator, kind=MeasureKind.HEALTH
        )
        self.note = services.add_note(
            situation=self.situation, text="Rendez-vous honoré au CCAS.", by=coordinator
        )
        self.archived = archived_situation(
            world.cell,
            by=coordinator,
            reporter=world.actors["reporter"],
            last_name="Durand",
            first_name="Hugo",
        )


def world_situations(world) -> WorldSituations:
    if getattr(world, "_situations", None) is None:
        world._situations = WorldSituations(world)
    return world._situations
