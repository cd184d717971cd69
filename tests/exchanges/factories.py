"""Transmissions made through the services: keys, copies, journal and notifications are real."""

from datetime import timedelta

from django.utils import timezone

from cellule.accounts.enums import CellKind, Role
from cellule.accounts.models import Cell, Membership
from cellule.exchanges import services
from cellule.exchanges.enums import DEFAULT_FIELDS, LegalBasis
from cellule.reports import services as report_services
from tests.accounts.factories import CellFactory, MembershipFactory, OrganisationFactory
from tests.people.factories import coordinator_of
from tests.reports.factories import file_signalement


def departmental_cell(cell) -> Cell:
    """The préfecture's cell of ``cell``'s département, created on first need."""
    existing = Cell.objects.filter(
        kind=CellKind.DEPARTMENTAL, departement_id=cell.departement_id
    ).first()
    if existing is not None:
        return existing
    prefecture = OrganisationFactory(name="Préfecture de test", kind="prefecture")
    return CellFactory(
        departmental=True,
        name=f"Cellule départementale {cell.departement_id}",
        departement=cell.departement,
        organisation=prefecture,
    )


def member_of(cell, role):
    membership = Membership.objects.filter(cell=cell, role=role).first()
    return membership.user if membership else MembershipFactory(cell=cell, role=role).user


def transmit(situation, *, by=None, fields=DEFAULT_FIELDS, signalement=None, **kwargs):
    departmental_cell(situation.cell)
    kwargs.setdefault("legal_basis", LegalBasis.INSTRUCTION_2018)
    return services.transmit_situation(
        situation=situation,
        fields=list(fields),
        signalement=signalement,
        by=by or coordinator_of(situation.cell),
        **kwargs,
    )


def transmitted_signalement(cell, *, by=None, **identity):
    """A report qualified « transmis à la préfecture » (which opens its situation)."""
    by = by or coordinator_of(cell)
    identity.setdefault("last_name", "Roux")
    identity.setdefault("first_name", "Kylian")
    signalement = file_signalement(cell, **identity)
    report_services.confirm_new_person(signalement=signalement, by=by)
    report_services.qualify_signalement(
        signalement=signalement,
        decision=report_services.Qualification(transmitted=True, reason="Menaces répétées."),
        by=by,
    )
    signalement.refresh_from_db()
    return signalement


def state_information(
    commune_cell,
    *,
    by=None,
    approved=True,
    sent=True,
    include_coordinator=False,
    text="Personne candidate à un poste d'animateur : avis défavorable des services.",
    case="municipal_agent",
    last_name="Lambert",
    first_name="Noé",
    **kwargs,
):
    prefecture = departmental_cell(commune_cell)
    by = by or member_of(prefecture, Role.COORDINATOR)
    information = services.create_state_information(
        from_cell=prefecture,
        to_cell=commune_cell,
        case=case,
        content=services.InformationContent(last_name=last_name, first_name=first_name, text=text),
        include_coordinator=include_coordinator,
        by=by,
        **kwargs,
    )
    if approved:
        approve(information, by=by)
    if sent:
        services.send_state_information(transmission=information, by=by)
        information.refresh_from_db()
    return information


def approve(information, *, by, authorities=("security_services", "procureur")):
    day = timezone.localdate() - timedelta(days=1)
    for authority in authorities:
        services.record_approval(
            transmission=information,
            authority=authority,
            given_on=day,
            reference=f"Réf. {authority} 2026-014",
            by=by,
        )


class WorldExchanges:
    """What the access matrix needs around ``world``: made on first use, once per test."""

    def __init__(self, world):
        from tests.cases.factories import world_situations

        coordinator = world.actors["coordinator"]
        self.prefecture = departmental_cell(world.cell)
        self.prefecture_coordinator = member_of(self.prefecture, Role.COORDINATOR)
        self.report = transmit(world_situations(world).situation, by=coordinator)
        # Addressed to the mayor alone: the commune's coordinator is not named.
        self.information = state_information(world.cell, by=self.prefecture_coordinator)
        self.briefing = services.request_briefing(cell=world.cell, by=coordinator)
        self.signalement = transmitted_signalement(
            world.cell, by=coordinator, last_name="Marchand", first_name="Eliott"
        )


def world_exchanges(world) -> WorldExchanges:
    if getattr(world, "_exchanges", None) is None:
        world._exchanges = WorldExchanges(world)
    return world._exchanges
