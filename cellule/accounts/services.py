"""Writes on accounts, cells and memberships. Each checks the actor's abilities itself."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cellule.access.journaling import Action, journal_event
from cellule.access.roles import forget_roles
from cellule.accounts.models import Cell, Membership


@transaction.atomic
def sign_charter(*, membership: Membership, by) -> Membership:
    if membership.user_id != by.pk:
        raise PermissionDenied("Seul le titulaire de l'habilitation signe la charte.")
    membership.charter_signed_version = membership.cell.charter_version
    membership.charter_signed_at = timezone.now()
    membership.save(update_fields=["charter_signed_version", "charter_signed_at"])
    forget_roles(by)
    journal_event(
        by,
        Action.CHARTER_SIGNED,
        target=membership,
        reason=f"version {membership.charter_signed_version}",
    )
    return membership


@transaction.atomic
def update_charter(*, cell: Cell, text: str, by) -> Cell:
    """A new version of the charter: every member must sign it again before any access."""
    if not cell.abilities(by)["edit_charter"]:
        raise PermissionDenied
    cell = Cell.objects.select_for_update().get(pk=cell.pk)
    cell.charter_text = text
    cell.charter_version += 1
    cell.charter_updated_at = timezone.now()
    cell.save(update_fields=["charter_text", "charter_version", "charter_updated_at"])
    journal_event(by, Action.CHARTER_UPDATED, target=cell, reason=f"version {cell.charter_version}")
    forget_roles(by)
    return cell


@transaction.atomic
def update_membership(*, membership: Membership, role: str, valid_until, by) -> Membership:
    if not membership.abilities(by)["edit"]:
        raise PermissionDenied
    membership.role = role
    membership.valid_until = valid_until
    membership.full_clean()
    membership.save(update_fields=["role", "valid_until"])
    journal_event(by, Action.MEMBERSHIP_CHANGED, target=membership)
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, by) -> Membership:
    """Withdraws the habilitation: access stops at once; the row stays as history."""
    if not membership.abilities(by)["end"]:
        raise PermissionDenied
    membership.ended_at = timezone.now()
    membership.ended_by = by
    membership.save(update_fields=["ended_at", "ended_by"])
    journal_event(by, Action.MEMBERSHIP_ENDED, target=membership)
    return membership
