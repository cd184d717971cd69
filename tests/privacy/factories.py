"""Records made the real way (services), for the retention and rights-request tests."""

from datetime import date
from functools import cached_property

from django.utils import timezone

from cellule.privacy import services
from cellule.reports import services as report_services
from tests.people.factories import coordinator_of
from tests.reports.factories import file_signalement


def qualified_signalement(
    cell, *, by=None, closed: str = "", redirected: bool = False, reporter=None, **identity
):
    """A report qualified as closed (with ``closed`` as the reason) or redirected: no
    situation. Distinct names avoid the duplicate check."""
    by = by or coordinator_of(cell)
    identity.setdefault("last_name", "Roux")
    identity.setdefault("first_name", "Anna")
    signalement = file_signalement(cell, by=reporter, **identity)
    report_services.confirm_new_person(signalement=signalement, by=by)
    decision = (
        report_services.Qualification(
            redirected=True, redirect_service="ccas", reason="Relève du CCAS."
        )
        if redirected
        else report_services.Qualification(
            closed=True, closure_reason=closed or "unfounded", reason="Faits non établis."
        )
    )
    report_services.qualify_signalement(signalement=signalement, decision=decision, by=by)
    signalement.refresh_from_db()
    return signalement


def rights_request(cell, *, by, kind="access", person=None, received_on=None, **requester):
    """A request recorded by ``by``; linked to ``person`` when given."""
    request = services.record_request(
        cell=cell,
        kind=kind,
        received_on=received_on or timezone.localdate(),
        last_name=requester.get("last_name", "Martin"),
        first_name=requester.get("first_name", "Léa"),
        birth_date=requester.get("birth_date"),
        contact=requester.get("contact", "12 rue des Écoles, 13140 Miramas"),
        by=by,
    )
    if person is not None:
        request = services.link_person(request=request, person=person, by=by)
    return request


class WorldPrivacy:
    """What the access matrix needs around ``world``: each record made on first use."""

    def __init__(self, world):
        from tests.cases.factories import world_situations

        self.world = world
        self.situations = world_situations(world)
        self.coordinator = world.actors["coordinator"]
        self.dpo = world.actors["dpo"]
        self.situation = self.situations.situation

    @cached_property
    def access_pending(self):
        """An access request whose export the DPO prepared: the coordinator reviews it."""
        request = rights_request(self.world.cell, by=self.dpo, person=self.situation.person)
        services.prepare_export(request=request, by=self.dpo)
        return request

    @cached_property
    def access_done(self):
        request = rights_request(self.world.cell, by=self.dpo, person=self.situation.person)
        export = services.prepare_export(request=request, by=self.dpo)
        services.review_export(export=export, by=self.coordinator)
        return request

    @cached_property
    def rectification(self):
        return rights_request(
            self.world.cell, by=self.coordinator, kind="rectification", person=self.situation.person
        )

    @cached_property
    def restriction(self):
        return rights_request(
            self.world.cell, by=self.coordinator, kind="restriction", person=self.situation.person
        )

    @cached_property
    def erasure(self):
        other = qualified_signalement(
            self.world.cell,
            by=self.coordinator,
            last_name="Nguyen",
            first_name="Tom",
            birth_date=date(2001, 5, 6),
        )
        return rights_request(
            self.world.cell, by=self.coordinator, kind="erasure", person=other.person
        )

    @cached_property
    def hold(self):
        return services.place_hold(
            situation=self.situations.archived,
            ground="litigation",
            detail="TA n° 1",
            by=self.coordinator,
        )

    @cached_property
    def certificate(self):
        from cellule.privacy.purge import run_purge

        return run_purge().certificate


def world_privacy(world) -> WorldPrivacy:
    if getattr(world, "_privacy", None) is None:
        world._privacy = WorldPrivacy(world)
    return world._privacy
