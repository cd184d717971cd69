"""The access matrix: every route × every actor → the HTTP status they must get.

`tests/test_consistency.py` fails when a route of the URL conf has no row here, so a new page
cannot ship without its access rule being written down and tested.

Actors (see `world` in conftest): anonymous, the six cell roles of `cell`, a member who has not
signed the charter, the technical administrator, the DPO of the cell's controller, and an
outsider (coordinator of a foreign cell).
"""

from dataclasses import dataclass, field

from cellule.accounts.enums import Role

ACTORS = (
    "anonymous",
    "president",
    "coordinator",
    "member",
    "state_delegate",
    "reporter",
    "guest",
    "unsigned",
    "admin",
    "dpo",
    "outsider",
)
LOGIN = "login"  # 302 to the login page
CHARTER = "charter"  # 302 to the charter page


@dataclass(frozen=True)
class Route:
    name: str
    expected: dict  # actor → status (int) or LOGIN / CHARTER
    default: object = 200
    kwargs: object = None  # callable(world) → URL kwargs
    method: str = "get"
    data: object = None  # callable(world) → POST data
    note: str = ""
    # The page shows personal data (of people followed or of staff): a 200 must be journaled.
    personal: bool = False

    def status_for(self, actor: str):
        return self.expected.get(actor, self.default)


def membership_of(role):
    def kwargs(world):
        user = world.actors[role]
        return {"pk": user.memberships.get(cell=world.cell).pk}

    return kwargs


def cell_kwargs(world):
    return {"pk": world.cell.pk}


def invitation_kwargs(world):
    return {"pk": world.invitation.pk}


PUBLIC = {}
# Login required, second factor and signed charters: the common case.
LOGGED_IN = {"anonymous": LOGIN, "unsigned": CHARTER}
SITTING_ONLY = {
    **LOGGED_IN,
    "reporter": 403,
    "guest": 403,
    "admin": 403,
    "dpo": 403,
    "outsider": 404,
}
MANAGER_ONLY = {**SITTING_ONLY, "president": 403, "member": 403, "state_delegate": 403}
MEMBERSHIP_MANAGER_ONLY = {
    **MANAGER_ONLY,
    "reporter": 404,  # a reporter does not even see who sits in the cell
    "guest": 404,
    "dpo": 403,
}

# Invitations are seen by the cell's managers only (and by the administrator, who may act only on
# the invitations they sent).
INVITATION_MANAGER_ONLY = {
    **LOGGED_IN,
    **dict.fromkeys(
        ("president", "member", "state_delegate", "reporter", "guest", "dpo", "outsider"), 404
    ),
    "admin": 403,
}

ROUTES = [
    Route("core:home", LOGGED_IN),
    Route("core:switch_cell", {**LOGGED_IN}, default=405, note="POST only"),
    Route("core:accessibility", PUBLIC),
    Route("core:legal_notice", PUBLIC),
    Route("core:personal_data", PUBLIC),
    Route("healthz", PUBLIC),
    Route("readyz", PUBLIC),
    Route("accounts:login", {"anonymous": 200}, default=302, note="a logged-in user is sent on"),
    Route("accounts:logout", {"anonymous": LOGIN}, default=405, note="POST only"),
    Route(
        "accounts:otp_verify", {"anonymous": LOGIN}, default=302, note="already verified: sent on"
    ),
    Route(
        "accounts:otp_setup",
        {"anonymous": LOGIN},
        default=302,
        note="already enrolled: to the code page",
    ),
    Route("accounts:password_reset", PUBLIC),
    Route("accounts:password_reset_done", PUBLIC),
    Route(
        "accounts:password_reset_confirm",
        PUBLIC,
        kwargs=lambda world: {"uidb64": "MQ", "token": "jeton-invalide"},
        note="an invalid link shows its French page",
    ),
    Route("accounts:password_reset_complete", PUBLIC),
    Route("accounts:profile", {"anonymous": LOGIN}),
    Route(
        "accounts:charter_sign",
        {
            "anonymous": LOGIN,
            "coordinator": 302,  # already signed: back to the dashboard
            "unsigned": 404,  # sees no membership but their own
            "reporter": 404,
            "guest": 404,
            "outsider": 404,
        },
        default=403,
        kwargs=membership_of("coordinator"),
    ),
    Route(
        "accounts:membership_edit",
        MEMBERSHIP_MANAGER_ONLY,
        kwargs=membership_of("member"),
        personal=True,
    ),
    Route(
        "accounts:membership_end",
        MEMBERSHIP_MANAGER_ONLY,
        kwargs=membership_of("member"),
        personal=True,
    ),
    Route("accounts:cell_detail", SITTING_ONLY, kwargs=cell_kwargs, personal=True),
    Route("accounts:charter_edit", MANAGER_ONLY, kwargs=cell_kwargs),
    Route("accounts:recovery_login", {"anonymous": LOGIN}),
    Route("accounts:reauthenticate", {"anonymous": LOGIN}),
    Route("accounts:password_change", {"anonymous": LOGIN}),
    Route("accounts:recovery_codes", {"anonymous": LOGIN}),
    Route("accounts:totp_replace", {"anonymous": LOGIN}),
    Route("accounts:sessions", {"anonymous": LOGIN}),
    Route(
        "accounts:session_end",
        {"anonymous": LOGIN},
        default=405,
        kwargs=lambda world: {"pk": 1},
        note="POST only; ends only one's own sessions (tested apart)",
    ),
    Route("accounts:session_keepalive", {"anonymous": LOGIN}, default=405, note="POST only"),
    Route(
        "accounts:session_status",
        PUBLIC,
        note="JSON for everyone, never a redirect: active (and the CSRF token) or not",
    ),
    Route(
        "accounts:invitation_accept",
        {},
        default=404,
        kwargs=lambda world: {"token": "jeton-invalide"},
        note="public; an invalid link shows its French page with a 404",
    ),
    Route(
        "accounts:invitation_renewal",
        {},
        default=405,
        kwargs=lambda world: {"token": "jeton-invalide"},
        note="public, POST only",
    ),
    Route(
        "accounts:invitation_create",
        {**MANAGER_ONLY, "admin": 200},
        kwargs=cell_kwargs,
        note="the administrator invites coordinators",
    ),
    Route("accounts:invitation_bulk", MANAGER_ONLY, kwargs=cell_kwargs),
    Route(
        "accounts:invitation_revoke",
        INVITATION_MANAGER_ONLY,
        kwargs=invitation_kwargs,
        personal=True,
    ),
    Route(
        "accounts:invitation_resend",
        INVITATION_MANAGER_ONLY,
        default=302,
        kwargs=invitation_kwargs,
        method="post",
        note="back to the cell page",
    ),
    Route(
        "accounts:charter_sign_own",
        {**LOGGED_IN, "admin": 404, "dpo": 404, "outsider": 404},
        default=302,
        kwargs=cell_kwargs,
        note="to the actor's own membership's charter page",
    ),
    # ProConnect is off in the test settings: its views answer 404 (tests/accounts/test_proconnect.py
    # switches it on and covers each of them).
    Route("proconnect:login", PUBLIC, default=404, note="ProConnect off"),
    Route("proconnect:callback", PUBLIC, default=404, note="ProConnect off"),
    Route("proconnect:logged_out", PUBLIC, default=404, note="ProConnect off"),
    Route("proconnect:logout", {"anonymous": LOGIN}, default=404, note="ProConnect off"),
]

DPO_ONLY = {**dict.fromkeys(ACTORS, 403), "anonymous": LOGIN, "unsigned": CHARTER, "dpo": 200}
ROUTES += [
    Route("journal:list", DPO_ONLY, personal=True),
    Route("journal:export", DPO_ONLY, personal=True),
]


def coordinator_notification(world):
    """A security notification of the coordinator's: only they may open it."""
    from cellule.alerts.services import notify

    coordinator = world.actors["coordinator"]
    (notification,) = notify(
        kind="password_changed", recipients=[coordinator], target=coordinator, key="matrice"
    )
    return {"pk": notification.pk}


# Notifications: everyone logged in has their own (charter not needed: security notices concern
# the account); one notification is the recipient's alone, a 404 for anyone else.
OWN_NOTIFICATION = {**dict.fromkeys(ACTORS, 404), "anonymous": LOGIN, "coordinator": 302}
ROUTES += [
    Route("alerts:list", {"anonymous": LOGIN}),
    Route("alerts:preferences", {"anonymous": LOGIN}),
    Route(
        "alerts:open",
        OWN_NOTIFICATION,
        kwargs=coordinator_notification,
        note="marks it read, then to its object's page",
    ),
    Route(
        "alerts:mark_read",
        OWN_NOTIFICATION,
        kwargs=coordinator_notification,
        method="post",
        note="back to the list",
    ),
    Route(
        "alerts:mark_all_read",
        {"anonymous": LOGIN},
        default=302,
        method="post",
        note="one's own only",
    ),
]


def signalement_kwargs(world):
    return {"pk": world.signalement.pk}


# Any habilitated person who sits in the cell, or reports to it, may file a signalement — in the
# cell they work in (the outsider files in their own cell).
FILERS = {**LOGGED_IN, "guest": 403, "admin": 403, "dpo": 403}
QUALIFIERS = {**FILERS, "member": 403, "state_delegate": 403, "reporter": 403}
# A report in full: the cell's president and coordinator only; the reporter who filed it included
# sees only its minimal status in « Mes signalements ».
SIGNALEMENT_READERS = {
    **LOGGED_IN,
    **dict.fromkeys(
        ("member", "state_delegate", "reporter", "guest", "admin", "dpo", "outsider"), 404
    ),
}
ROUTES += [
    Route("reports:new", FILERS),
    Route("reports:mine", {"anonymous": LOGIN, "unsigned": CHARTER}),
    Route("reports:queue", QUALIFIERS, personal=True),
    Route("reports:detail", SIGNALEMENT_READERS, kwargs=signalement_kwargs, personal=True),
    Route(
        "reports:check_person",
        SIGNALEMENT_READERS,
        default=302,
        kwargs=signalement_kwargs,
        method="post",
        data=lambda world: {"decision": "new"},
        note="confirms a new person, back to the report",
    ),
    Route(
        "reports:qualify",
        SIGNALEMENT_READERS,
        kwargs=signalement_kwargs,
        method="post",
        note="an empty decision: the page again, with the errors",
    ),
]

# Statistics: anonymous facts only (personal=False), for the president and coordinator of the cell
# they work in (the outsider sees their own cell's); the département's, only from the préfecture's
# cell (none in the matrix world: tests/stats/test_views.py covers it).
STATS_READERS = {**QUALIFIERS, "outsider": 200}
DEPARTEMENT_STATS_READERS = {**LOGGED_IN, "anonymous": LOGIN, "unsigned": CHARTER}
ROUTES += [
    Route("stats:cell", STATS_READERS),
    Route("stats:cell_export", STATS_READERS),
    Route("stats:departement", DEPARTEMENT_STATS_READERS, default=403),
    Route("stats:departement_export", DEPARTEMENT_STATS_READERS, default=403),
]


# --- Situations (cases) -------------------------------------------------------------------------


def _situations(world):
    from tests.cases.factories import world_situations

    return world_situations(world)


def situation_kwargs(world):
    return {"pk": _situations(world).situation.pk}


def archived_situation_kwargs(world):
    return {"pk": _situations(world).archived.pk}


def accepted_measure_kwargs(world):
    return {"pk": _situations(world).accepted.pk}


def proposed_measure_kwargs(world):
    return {"pk": _situations(world).proposed.pk}


def note_kwargs(world):
    return {"pk": _situations(world).note.pk}


# Lists: whoever sits in a cell, in the cell they work in (the outsider sees their own cell's).
SITUATION_LISTS = {**LOGGED_IN, "reporter": 403, "guest": 403, "admin": 403, "dpo": 403}
# The world's situation: the member is its référent; the state delegate's organisation provides
# its measures (restricted view only); nobody else outside the cell-wide roles sees it.
NOT_IN_SCOPE = dict.fromkeys(("reporter", "guest", "admin", "dpo", "outsider"), 404)
SITUATION_FOLLOWERS = {**LOGGED_IN, **NOT_IN_SCOPE, "state_delegate": 403}
SITUATION_MANAGERS = {**SITUATION_FOLLOWERS, "member": 403}
ROUTES += [
    Route("cases:list", SITUATION_LISTS, personal=True),
    Route("cases:to_review", SITUATION_LISTS, personal=True),
    Route(
        "cases:archive",
        {**SITUATION_LISTS, "member": 403, "state_delegate": 403},
        note="references and dates only: a name needs a stated reason",
    ),
    Route("cases:search", SITUATION_LISTS, note="the empty search form"),
    Route("cases:detail", SITUATION_FOLLOWERS, kwargs=situation_kwargs, personal=True),
    Route(
        "cases:provider",
        {**LOGGED_IN, **NOT_IN_SCOPE, "president": 403, "coordinator": 403, "member": 403},
        kwargs=situation_kwargs,
        personal=True,
        note="the measure provider's restricted view",
    ),
    Route(
        "cases:archived",
        {**LOGGED_IN, **NOT_IN_SCOPE, "member": 404, "state_delegate": 404},
        kwargs=archived_situation_kwargs,
        note="the form asking the reason (tested apart: the reading once it is given)",
    ),
    Route(
        "cases:transition",
        SITUATION_MANAGERS,
        default=302,
        kwargs=situation_kwargs,
        method="post",
        data=lambda world: {"to": "support", "reason": "Adhésion de la famille."},
    ),
    Route(
        "cases:referent",
        SITUATION_MANAGERS,
        default=302,
        kwargs=situation_kwargs,
        method="post",
        data=lambda world: {"referent": str(world.actors["member"].pk)},
    ),
    Route(
        "cases:review",
        SITUATION_FOLLOWERS,
        default=302,
        kwargs=situation_kwargs,
        method="post",
        data=lambda world: {"changes": "Reprise de la scolarité."},
    ),
    Route(
        "cases:note_new",
        SITUATION_FOLLOWERS,
        default=302,
        kwargs=situation_kwargs,
        method="post",
        data=lambda world: {"text": "Entretien avec la famille."},
    ),
    Route("cases:measure_new", SITUATION_FOLLOWERS, kwargs=situation_kwargs, personal=True),
    Route("cases:close", SITUATION_MANAGERS, kwargs=situation_kwargs, personal=True),
    Route(
        "cases:note_edit",
        {**SITUATION_FOLLOWERS, "president": 403, "member": 403},
        kwargs=note_kwargs,
        personal=True,
        note="its author only, for 24 hours",
    ),
    Route(
        "cases:measure_consent",
        SITUATION_FOLLOWERS,
        default=302,
        kwargs=proposed_measure_kwargs,
        method="post",
        data=lambda world: {"answer": "refused", "answered_on": "2000-01-01"},
        note="back to the situation, with the message",
    ),
    Route(
        "cases:measure_progress",
        {**LOGGED_IN, **NOT_IN_SCOPE},
        default=302,
        kwargs=accepted_measure_kwargs,
        method="post",
        data=lambda world: {"step": "start", "on": "2000-01-01"},
        note="the provider too; back to the page they came from",
    ),
]


# --- API tokens (api): the profile's section; the API itself is ruled in tests/api/matrix.py ----


def coordinator_token_kwargs(world):
    from cellule.api.tokens import create_token

    coordinator = world.actors["coordinator"]
    token, _ = create_token(user=coordinator, name="Matrice", by=coordinator)
    return {"pk": token.pk}


ROUTES += [
    Route("api_tokens:new", LOGGED_IN, note="after a fresh authentication, for oneself"),
    Route(
        "api_tokens:revoke",
        {**dict.fromkeys(ACTORS, 404), "anonymous": LOGIN, "coordinator": 302},
        kwargs=coordinator_token_kwargs,
        method="post",
        note="one's own tokens only; back to the profile",
    ),
]


# The Django admin is one rule: the technical administrator only (second factor included).
# --- Séances (meetings): ROUTES HERE -----------------------------------------------------------


def _meetings(world):
    from tests.meetings.factories import world_meetings

    return world_meetings(world)


def seance_kwargs(world):
    return {"pk": _meetings(world).seance.pk}


def held_seance_kwargs(world):
    return {"pk": _meetings(world).held.pk}


def validated_seance_kwargs(world):
    return {"pk": _meetings(world).validated.pk}


def item_kwargs(world):
    return {"pk": _meetings(world).item.pk}


def member_attendee_kwargs(world):
    return {"pk": _meetings(world).member_attendee.pk}


# The world's séance under way: president and coordinator see it all; the member and the state
# delegate are convened; the guest is invited for one item (not ``item``); nobody else sees it.
SEANCE_OUTSIDERS = dict.fromkeys(("reporter", "admin", "dpo", "outsider"), 404)
SEANCE_VIEWERS = {**LOGGED_IN, **SEANCE_OUTSIDERS}
SEANCE_MANAGER = {
    **SEANCE_VIEWERS,
    **dict.fromkeys(("president", "member", "state_delegate", "guest"), 403),
}
# An item the guest is not invited to: outside the guest's scope.
ITEM_MANAGER = {**SEANCE_MANAGER, "guest": 404}
ROUTES += [
    Route("meetings:list", {**LOGGED_IN, "reporter": 403, "admin": 403, "dpo": 403}),
    Route(
        "meetings:new",
        {
            **LOGGED_IN,
            **dict.fromkeys(
                ("president", "member", "state_delegate", "reporter", "guest", "admin", "dpo"), 403
            ),
        },
        note="the outsider plans in their own cell",
    ),
    Route("meetings:detail", SEANCE_VIEWERS, kwargs=seance_kwargs, personal=True),
    Route("meetings:edit", SEANCE_MANAGER, kwargs=seance_kwargs),
    Route(
        "meetings:convene",
        SEANCE_MANAGER,
        default=302,
        kwargs=seance_kwargs,
        method="post",
        data=lambda world: {},
    ),
    Route(
        "meetings:agenda_propose",
        SEANCE_MANAGER,
        default=302,
        kwargs=seance_kwargs,
        method="post",
        data=lambda world: {},
    ),
    Route(
        "meetings:agenda_add",
        SEANCE_MANAGER,
        kwargs=seance_kwargs,
        method="post",
        data=lambda world: {},
        personal=True,
        note="an empty choice: the page again, with the error",
    ),
    Route(
        "meetings:guest_invite",
        SEANCE_MANAGER,
        kwargs=seance_kwargs,
        method="post",
        data=lambda world: {},
        personal=True,
        note="an empty choice: the page again, with the error",
    ),
    Route("meetings:room", SEANCE_MANAGER, kwargs=seance_kwargs, personal=True),
    Route(
        "meetings:close",
        SEANCE_MANAGER,
        default=302,
        kwargs=seance_kwargs,
        method="post",
        data=lambda world: {},
        note="items undecided: back to the room with the reasons",
    ),
    Route(
        "meetings:minutes_validate",
        {**SEANCE_MANAGER, "president": 302, "coordinator": 403, "guest": 404},
        default=302,
        kwargs=held_seance_kwargs,
        method="post",
        data=lambda world: {},
        note="the president only, once the séance is held",
    ),
    Route(
        "meetings:minutes_pdf",
        {**SEANCE_VIEWERS, "guest": 404},
        kwargs=validated_seance_kwargs,
        personal=True,
        note="each attendee who was present, once validated; the cell-wide roles",
    ),
    Route(
        "meetings:item_remove",
        ITEM_MANAGER,
        default=302,
        kwargs=item_kwargs,
        method="post",
        data=lambda world: {},
    ),
    Route(
        "meetings:item_move",
        ITEM_MANAGER,
        default=302,
        kwargs=item_kwargs,
        method="post",
        data=lambda world: {"sens": "bas"},
    ),
    Route(
        "meetings:decision",
        ITEM_MANAGER,
        kwargs=item_kwargs,
        method="post",
        data=lambda world: {},
        personal=True,
        note="an empty decision: the room again, with the errors",
    ),
    Route("meetings:decision_fields", ITEM_MANAGER, kwargs=item_kwargs),
    Route(
        "meetings:attendance",
        SEANCE_MANAGER,
        default=302,
        kwargs=member_attendee_kwargs,
        method="post",
        data=lambda world: {"attendance": "present"},
    ),
    Route(
        "meetings:acknowledge",
        {**SEANCE_MANAGER, "member": 302},
        default=302,
        kwargs=member_attendee_kwargs,
        method="post",
        data=lambda world: {},
        note="the attendee themselves, or the coordinator in the room",
    ),
]

# --- Transmissions (exchanges): ROUTES HERE ----------------------------------------------------


def _exchanges(world):
    from tests.exchanges.factories import world_exchanges

    return world_exchanges(world)


def report_to_state_kwargs(world):
    return {"pk": _exchanges(world).report.pk}


def state_information_kwargs(world):
    return {"pk": _exchanges(world).information.pk}


def briefing_kwargs(world):
    return {"pk": _exchanges(world).briefing.pk}


def transmitted_signalement_kwargs(world):
    return {"pk": _exchanges(world).signalement.pk}


# The cell's exchanges with the State: its president, coordinator and state delegate (the outsider
# sees their own cell's). One transmission: the same, of this cell only. A state_information: its
# named recipients only (here the mayor alone), whatever the role. The préfecture's side (inbox,
# acknowledgement, feedback, approvals, briefing held) is covered in tests/exchanges/.
EXCHANGE_LISTS = {
    **LOGGED_IN,
    **dict.fromkeys(("member", "reporter", "guest", "admin", "dpo"), 403),
}
NOT_IN_EXCHANGES = dict.fromkeys(("member", "reporter", "guest", "admin", "dpo", "outsider"), 404)
EXCHANGE_READERS = {**LOGGED_IN, **NOT_IN_EXCHANGES}
EXCHANGE_READERS_NO_ACTION = {
    **EXCHANGE_READERS,
    **dict.fromkeys(("president", "coordinator", "state_delegate"), 403),
}
ONLY_THE_MAYOR = {
    **LOGGED_IN,
    **NOT_IN_EXCHANGES,
    "coordinator": 404,  # not named: nothing tells them it exists
    "state_delegate": 404,
}
ROUTES += [
    Route("exchanges:list", EXCHANGE_LISTS, personal=True),
    Route(
        "exchanges:transmit_situation",
        SITUATION_MANAGERS,
        kwargs=situation_kwargs,
        personal=True,
        note="the form (re-authentication fresh in the test client)",
    ),
    Route(
        "exchanges:transmit_signalement",
        SIGNALEMENT_READERS,
        kwargs=transmitted_signalement_kwargs,
        personal=True,
    ),
    Route("exchanges:detail", EXCHANGE_READERS, kwargs=report_to_state_kwargs, personal=True),
    Route(
        "exchanges:acknowledge",
        EXCHANGE_READERS_NO_ACTION,
        kwargs=report_to_state_kwargs,
        method="post",
        note="the préfecture acknowledges, never the commune",
    ),
    Route(
        "exchanges:feedback",
        EXCHANGE_READERS_NO_ACTION,
        kwargs=report_to_state_kwargs,
        method="post",
        data=lambda world: {"outcome": "taken_into_account"},
    ),
    Route(
        "exchanges:information_new",
        {**LOGGED_IN},
        default=403,
        note="the préfecture's cell only",
    ),
    Route(
        "exchanges:approval",
        {**ONLY_THE_MAYOR, "president": 403},
        kwargs=state_information_kwargs,
        method="post",
        data=lambda world: {"which": "procureur"},
        note="the named mayor sees it, records nothing",
    ),
    Route(
        "exchanges:send",
        {**ONLY_THE_MAYOR, "president": 403},
        kwargs=state_information_kwargs,
        method="post",
    ),
    Route(
        "exchanges:briefing_request",
        {**EXCHANGE_LISTS, "state_delegate": 403},
        default=302,
        method="post",
        note="the mayor or the coordinator asks; to the list or the request",
    ),
    Route(
        "exchanges:briefing_held",
        EXCHANGE_READERS_NO_ACTION,
        kwargs=briefing_kwargs,
        method="post",
        data=lambda world: {"held_on": "2000-01-01", "channel": "bilateral"},
    ),
]

# --- RGPD (privacy): ROUTES HERE ---------------------------------------------------------------


def _privacy(world):
    from tests.privacy.factories import world_privacy

    return world_privacy(world)


def _request(name):
    return lambda world: {"pk": getattr(_privacy(world), name).pk}


# The DPO of the cell's controller, and the president and coordinator of the cell they work in
# (the outsider: their own cell's pages).
PRIVACY_VIEWERS = {
    **LOGGED_IN,
    **dict.fromkeys(("member", "state_delegate", "reporter", "guest", "admin"), 403),
}
PRIVACY_CELL_WIDE = {**PRIVACY_VIEWERS, "dpo": 403}
# Rights requests: the DPO and the coordinator, together; the president does not handle them.
REQUEST_HANDLERS = {**PRIVACY_VIEWERS, "president": 403}
# One request: only its cell's coordinator and its DPO see it; anyone else gets a 404.
REQUEST_SCOPE = {
    **LOGGED_IN,
    **dict.fromkeys(
        ("president", "member", "state_delegate", "reporter", "guest", "admin", "outsider"), 404
    ),
}
REQUEST_COORDINATOR = {**REQUEST_SCOPE, "dpo": 403}
CERTIFICATE_READERS = {
    **LOGGED_IN,
    **dict.fromkeys(("member", "state_delegate", "reporter", "guest", "admin"), 404),
}
ROUTES += [
    Route("privacy:index", PRIVACY_VIEWERS),
    Route("privacy:retention", PRIVACY_VIEWERS, note="the coordinator's form: tested apart"),
    Route("privacy:upcoming", PRIVACY_CELL_WIDE, personal=True, note="references only"),
    Route("privacy:holds", PRIVACY_VIEWERS, personal=True),
    Route(
        "privacy:hold_new",
        {
            **LOGGED_IN,
            **dict.fromkeys(("reporter", "guest", "admin", "dpo", "outsider"), 404),
            **dict.fromkeys(("president", "member", "state_delegate"), 403),
        },
        kwargs=lambda world: {"kind": "situation", "pk": _privacy(world).situation.pk},
        note="the coordinator holds a situation they see",
    ),
    Route(
        "privacy:hold_lift",
        {
            **LOGGED_IN,
            **dict.fromkeys(
                ("member", "state_delegate", "reporter", "guest", "admin", "outsider"), 404
            ),
            "president": 403,
            "dpo": 403,
        },
        default=302,
        kwargs=lambda world: {"pk": _privacy(world).hold.pk},
        method="post",
        note="back to the list of holds",
    ),
    Route(
        "privacy:certificates",
        {**PRIVACY_VIEWERS},
        note="certificates hold counts only; each reader sees their cells' lines",
    ),
    Route(
        "privacy:certificate",
        CERTIFICATE_READERS,
        kwargs=lambda world: {"pk": _privacy(world).certificate.pk},
    ),
    Route(
        "privacy:certificate_pdf",
        CERTIFICATE_READERS,
        kwargs=lambda world: {"pk": _privacy(world).certificate.pk},
    ),
    Route("privacy:requests", REQUEST_HANDLERS, personal=True),
    Route("privacy:request_new", REQUEST_HANDLERS),
    Route(
        "privacy:request_detail",
        REQUEST_SCOPE,
        kwargs=_request("access_pending"),
        personal=True,
    ),
    Route(
        "privacy:request_person",
        REQUEST_SCOPE,
        kwargs=_request("access_pending"),
        personal=True,
        note="the candidates found through the blind indexes",
    ),
    Route(
        "privacy:request_export",
        REQUEST_SCOPE,
        default=302,
        kwargs=_request("access_pending"),
        method="post",
    ),
    Route(
        "privacy:request_review",
        {**REQUEST_SCOPE, "dpo": 400},
        default=302,
        kwargs=_request("access_pending"),
        method="post",
        note="the DPO prepared it: a second person must review it",
    ),
    Route(
        "privacy:request_export_json",
        REQUEST_SCOPE,
        kwargs=_request("access_done"),
        personal=True,
    ),
    Route(
        "privacy:request_export_pdf",
        REQUEST_SCOPE,
        kwargs=_request("access_done"),
        personal=True,
    ),
    Route(
        "privacy:request_rectify",
        REQUEST_COORDINATOR,
        kwargs=_request("rectification"),
        personal=True,
    ),
    Route(
        "privacy:request_erase",
        REQUEST_COORDINATOR,
        default=302,
        kwargs=_request("erasure"),
        method="post",
        data=lambda world: {"reason": "Demande fondée.", "confirm": "on"},
    ),
    Route(
        "privacy:request_hold",
        REQUEST_COORDINATOR,
        default=302,
        kwargs=_request("restriction"),
        method="post",
    ),
    Route(
        "privacy:request_step",
        REQUEST_SCOPE,
        default=302,
        kwargs=_request("access_pending"),
        method="post",
        data=lambda world: {"action": "note", "comment": "Appel du demandeur."},
    ),
    Route(
        "privacy:request_answer",
        REQUEST_SCOPE,
        default=302,
        kwargs=_request("access_pending"),
        method="post",
        data=lambda world: {"outcome": "refused", "comment": "Motif communiqué."},
    ),
    Route("privacy:register", PRIVACY_VIEWERS),
    Route("privacy:register_pdf", PRIVACY_VIEWERS),
    Route("privacy:dpia", PRIVACY_VIEWERS),
    Route("privacy:dpia_pdf", PRIVACY_VIEWERS),
    Route("privacy:notice", PRIVACY_VIEWERS),
    Route("privacy:letter", PRIVACY_VIEWERS),
    Route("privacy:letter_pdf", PRIVACY_VIEWERS),
]

ADMIN_ROUTES = [
    Route(
        name,
        {"admin": 200},
        default=302,  # to the admin login: it sends the anonymous to Cellule's login, others get a 403
    )
    for name in (
        "admin:index",
        "admin:accounts_cell_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_organisation_changelist",
        "admin:accounts_membership_changelist",
        "admin:territory_commune_changelist",
        "admin:reports_indicator_changelist",
    )
]

# Every route of these is covered elsewhere: the admin by one rule above; the API (/api/v1/) by
# tests/api/matrix.py, every operation × actor × own or foreign cell.
RULED_NAMESPACES = {"admin", "api"}

ROLE_OF_ACTOR = {
    "president": Role.PRESIDENT,
    "coordinator": Role.COORDINATOR,
    "member": Role.MEMBER,
    "state_delegate": Role.STATE_DELEGATE,
    "reporter": Role.REPORTER,
    "guest": Role.GUEST,
}


@dataclass
class Case:
    route: Route
    actor: str
    expected: object = field(init=False)

    def __post_init__(self):
        self.expected = self.route.status_for(self.actor)


def cases():
    return [Case(route, actor) for route in ROUTES + ADMIN_ROUTES for actor in ACTORS]
