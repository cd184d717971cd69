"""What a user may do to one object: dicts of booleans read by views, templates and the API."""

from cellule.access.roles import CELL_WIDE, MANAGERS, SITTING, role_in
from cellule.accounts.enums import Role


def for_cell(cell, user) -> dict[str, bool]:
    role = role_in(user, cell.pk)
    is_admin = user.is_authenticated and user.is_admin
    return {
        "view": role is not None,
        "view_members": role in SITTING,
        "manage_members": role in MANAGERS,
        "edit_charter": role in MANAGERS,
        "invite": role in MANAGERS,
        "qualify": role in CELL_WIDE,
        # Anonymous statistics (facts only); the préfecture's cell also sees its département's.
        "view_stats": role in CELL_WIDE,
        "view_departement_stats": role in CELL_WIDE and cell.kind == "departmental",
        # The technical administrator opens a cell by inviting its coordinator.
        "invite_coordinator": is_admin,
        "send_invitations": role in MANAGERS or is_admin,
    }


def for_membership(membership, user) -> dict[str, bool]:
    role = role_in(user, membership.cell_id)
    own = membership.user_id == user.pk
    manage = (
        role in MANAGERS and not own
    )  # a coordinator cannot lower or end their own habilitation
    return {
        "view": own or role in SITTING,
        "sign_charter": own and membership.is_current(),
        "edit": manage,
        "end": manage and membership.ended_at is None,
    }


def for_invitation(invitation, user) -> dict[str, bool]:
    manage = role_in(user, invitation.cell_id) in MANAGERS or (
        user.is_authenticated and user.is_admin and invitation.invited_by_id == user.pk
    )
    open_ = invitation.accepted_at is None and invitation.revoked_at is None
    return {"view": manage, "resend": manage and open_, "revoke": manage and open_}


# Who may file a signalement in a cell, and so record the person it concerns.
PERSON_RECORDERS = frozenset({*SITTING, Role.REPORTER})


def may_record_person(user, cell) -> bool:
    """Recording a person is part of filing a signalement: not a right to see persons."""
    return role_in(user, cell.pk) in PERSON_RECORDERS


def for_person(person, user) -> dict[str, bool]:
    cell_wide = role_in(user, person.cell_id) in CELL_WIDE
    return {
        "view": cell_wide,
        "edit": cell_wide,
        # Crypto-shredding, for a record made in error: the coordinator, who manages the file.
        "erase": role_in(user, person.cell_id) in MANAGERS,
    }


def may_file_signalement(user, cell) -> bool:
    """Reporters, and the members who sit in the cell, may file a fiche de signalement."""
    return may_record_person(user, cell)


def for_signalement(signalement, user) -> dict[str, bool]:
    cell_wide = role_in(user, signalement.cell_id) in CELL_WIDE
    received = signalement.status == "received"
    return {
        "view": cell_wide,
        "qualify": cell_wide and received,
        "check_person": cell_wide and received and signalement.person_checked_at is None,
    }


# --- Situations (cases) -------------------------------------------------------------------------

OPEN_SITUATION = ("assessment", "support", "watch")


def _provides_measure(situation, user) -> bool:
    """The user's organisation provides a (not refused) measure of the situation."""
    if not user.organisation_id:
        return False
    cached = getattr(situation, "_provider_ids", None)
    if cached is None:
        cached = set(
            situation.measures.exclude(status="refused").values_list("provider_id", flat=True)
        )
        situation._provider_ids = cached
    return user.organisation_id in cached


def for_situation(situation, user) -> dict[str, bool]:
    """President and coordinator: everything (the archive with a reason); the référent de parcours
    (a member or state delegate): the situation and its follow-up; a provider's member: only the
    restricted view of their measure (``for_measure``)."""
    role = role_in(user, situation.cell_id)
    cell_wide = role in CELL_WIDE
    archived = situation.status == "archived"
    open_ = situation.status in OPEN_SITUATION
    referent = role in SITTING and situation.referent_id == user.pk and not archived
    follows = cell_wide or referent
    return {
        "view": follows and not archived,
        "view_archived": cell_wide and archived,
        "view_reports": cell_wide,
        "view_consultations": cell_wide,
        "view_provider": role in SITTING and not archived and _provides_measure(situation, user),
        "transition": cell_wide and open_,
        "close": cell_wide and open_,
        "assign_referent": cell_wide and open_,
        "manage_measures": follows and open_,
        "review": follows and open_,
        "add_note": follows and open_,
    }


def for_measure(measure, user) -> dict[str, bool]:
    situation = measure.situation
    role = role_in(user, situation.cell_id)
    on_situation = for_situation(situation, user)
    provider = (
        role in SITTING
        and bool(user.organisation_id)
        and measure.provider_id == user.organisation_id
        and measure.status != "refused"
        and situation.status != "archived"
    )
    manage = on_situation["manage_measures"]
    progress = manage or (provider and situation.status in OPEN_SITUATION)
    return {
        "view": on_situation["view"] or provider,
        "record_consent": manage and measure.status == "proposed",
        "change_status": progress and measure.status in ("accepted", "ongoing"),
    }


# --- Séances (meetings): ABILITIES HERE --------------------------------------------------------


# --- Transmissions (exchanges): ABILITIES HERE -------------------------------------------------
