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


def convened_situation_ids(user) -> set:
    """The situations a member sees through the séances they are convened to (``scopes``): one
    query, then cached on the user object for the request."""
    cached = getattr(user, "_cellule_convened_situations", None)
    if cached is None:
        from cellule.access.scopes import convened_situations

        cached = set(convened_situations(user).values_list("situation_id", flat=True))
        user._cellule_convened_situations = cached
    return cached


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
    # A member convened to a séance with the situation on its agenda: read-only, in the window.
    convened = (
        role in SITTING
        and not follows
        and not archived
        and situation.pk in convened_situation_ids(user)
    )
    return {
        "view": (follows or convened) and not archived,
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


# --- RGPD (privacy) -----------------------------------------------------------------------------


def _is_dpo_of(user, cell_organisation_id) -> bool:
    return (
        user.is_authenticated
        and user.is_dpo
        and bool(user.organisation_id)
        and user.organisation_id == cell_organisation_id
    )


def for_privacy(cell, user) -> dict[str, bool]:
    """What a user may do with the RGPD pages of a cell: the DPO of its controller watches (and
    handles rights requests with the coordinator); the coordinator sets the delays and holds."""
    role = role_in(user, cell.pk)
    dpo = _is_dpo_of(user, cell.organisation_id)
    return {
        "view": dpo or role in CELL_WIDE,
        "edit_retention": role in MANAGERS,
        "view_upcoming": role in CELL_WIDE,
        "place_hold": role in MANAGERS,
        "handle_requests": dpo or role in MANAGERS,
    }


def for_legal_hold(hold, user) -> dict[str, bool]:
    role = role_in(user, hold.cell_id)
    dpo = _is_dpo_of(user, hold.cell.organisation_id)
    return {
        "view": dpo or role in CELL_WIDE,
        "view_detail": role in CELL_WIDE,
        "lift": role in MANAGERS and hold.lifted_at is None,
    }


def for_purge_certificate(certificate, user) -> dict[str, bool]:
    from cellule.access.scopes import purge_certificates

    return {"view": purge_certificates(type(certificate).objects.all(), user).exists()}


def for_rights_request(request, user) -> dict[str, bool]:
    """The DPO and the coordinator handle a request together; the coordinator alone changes the
    file (rectification, erasure, hold), through the services that always do so."""
    role = role_in(user, request.cell_id)
    manager = role in MANAGERS
    handles = manager or _is_dpo_of(user, request.cell.organisation_id)
    open_ = request.status in ("received", "in_progress")
    linked = request.person_id is not None
    return {
        "view": handles,
        "search_person": handles and open_,
        "prepare_export": handles and open_ and linked and request.kind == "access",
        "review_export": handles and open_ and linked,
        "download_export": handles and linked,
        "rectify": manager and open_ and linked and request.kind == "rectification",
        "erase": manager and open_ and linked and request.kind in ("erasure", "objection"),
        "hold": manager and open_ and linked and request.kind == "restriction",
        "extend": handles and open_ and not request.extended,
        "note": handles and open_,
        "answer": handles and open_,
    }


# --- Séances (meetings): ABILITIES HERE --------------------------------------------------------


def may_plan_seance(user, cell) -> bool:
    return role_in(user, cell.pk) in MANAGERS


def for_seance(seance, user) -> dict[str, bool]:
    """President and coordinator: everything of their cell's séances; the coordinator plans,
    convenes, edits the agenda and runs the room; the president validates the relevé. A convened
    member or guest: the séance, and its agenda once they have acknowledged its confidentiality
    (a guest: their own items, during the séance window). The relevé goes to the attendees who
    were present, once validated."""
    from django.utils import timezone

    role = role_in(user, seance.cell_id)
    cell_wide = role in CELL_WIDE
    manager = role in MANAGERS
    attendee = seance.attendee_for(user) if role is not None else None
    convened = attendee is not None and attendee.convened_at is not None
    sits = convened and attendee.kind == "member" and role in SITTING
    invited = convened and attendee.kind == "guest" and role == Role.GUEST
    acknowledged = convened and attendee.acknowledged_at is not None
    planned = seance.status == "planned"
    held = seance.status == "held"
    validated = seance.status == "minutes_validated"
    begun = timezone.localdate() >= timezone.localtime(seance.starts_at).date()
    return {
        "view": cell_wide or sits or invited,
        "see_agenda": cell_wide or (sits and acknowledged) or (invited and acknowledged),
        "edit": manager and planned,
        "convene": manager and planned,
        "run": manager and planned and begun,
        "close": manager and planned and begun,
        "validate_minutes": role == Role.PRESIDENT and held,
        "view_minutes": cell_wide and (held or validated),
        "download_minutes": (cell_wide and (held or validated))
        or (sits and validated and attendee.attendance == "present"),
        "acknowledge": (sits or invited) and not acknowledged and not validated,
        "is_guest": invited,
    }


def for_attendee(attendee, user) -> dict[str, bool]:
    on_seance = for_seance(attendee.seance, user)
    own = attendee.user_id == user.pk
    open_ = attendee.acknowledged_at is None and attendee.seance.status != "minutes_validated"
    return {
        "view": on_seance["view"],
        "record_attendance": on_seance["run"],
        # Each attendee acknowledges for themselves; in the room, the coordinator records it.
        "acknowledge": open_ and ((own and on_seance["acknowledge"]) or on_seance["run"]),
    }


def for_agenda_item(item, user) -> dict[str, bool]:
    seance = item.seance
    on_seance = for_seance(seance, user)
    view = on_seance["view"]
    if on_seance["is_guest"]:
        attendee = seance.attendee_for(user)
        view = (
            on_seance["see_agenda"]
            and seance.in_guest_window()
            and attendee.items.filter(pk=item.pk).exists()
        )
    decided = hasattr(item, "decision")
    return {
        "view": view,
        "edit": on_seance["edit"] and not decided,
        "decide": on_seance["run"] and not decided,
    }


# --- Transmissions (exchanges): ABILITIES HERE -------------------------------------------------

# Who deals with a cell's exchanges with the State: its president, coordinator and state delegate.
EXCHANGE_FOLLOWERS = frozenset({*CELL_WIDE, Role.STATE_DELEGATE})


def may_transmit_situation(situation, user) -> bool:
    """The president or coordinator of a municipal cell may send a (not archived) situation's
    signalement à l'État to the préfecture's cell."""
    return (
        role_in(user, situation.cell_id) in CELL_WIDE
        and situation.cell.kind == "municipal"
        and situation.status != "archived"
    )


def may_request_briefing(user, cell) -> bool:
    return role_in(user, cell.pk) in CELL_WIDE and cell.kind == "municipal"


def may_write_state_information(user, cell) -> bool:
    return role_in(user, cell.pk) in CELL_WIDE and cell.kind == "departmental"


def for_transmission(transmission, user) -> dict[str, bool]:
    from cellule.exchanges.enums import TransmissionKind as K

    role_from = role_in(user, transmission.from_cell_id)
    role_to = role_in(user, transmission.to_cell_id)
    kind = transmission.kind
    sent = transmission.sent_at is not None
    sender_manages = role_from in CELL_WIDE
    receiver_manages = role_to in CELL_WIDE
    if kind == K.STATE_INFORMATION:
        named = sent and role_to is not None and transmission.is_recipient(user)
        view = sender_manages or named
    else:
        named = False
        view = role_from in EXCHANGE_FOLLOWERS or role_to in EXCHANGE_FOLLOWERS
    report = kind == K.REPORT_TO_STATE
    return {
        "view": view,
        "read_content": view and not transmission.is_erased and not transmission.is_expired,
        "acknowledge": report and sent and receiver_manages and not transmission.acknowledged_at,
        "give_feedback": report and sent and receiver_manages,
        # Persons the receiving cell may already know: those who see its persons.
        "view_matches": report and receiver_manages,
        "record_approval": kind == K.STATE_INFORMATION and sender_manages and not sent,
        "send": kind == K.STATE_INFORMATION
        and sender_manages
        and not sent
        and transmission.is_approved,
        "view_receipts": kind == K.STATE_INFORMATION and sender_manages,
        "record_briefing": kind == K.GENERAL_BRIEFING
        and receiver_manages
        and transmission.briefing_held_on is None,
        # The sender's side may go back to its own records; the receiving side has only the copy.
        "sender_side": role_from is not None,
        # A confidential transmission is never exported nor printed, by anyone.
        "export": view and not transmission.not_exportable,
        "print": view and not transmission.not_exportable,
        "is_named_recipient": named,
    }
