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


# The Django admin is one rule: the technical administrator only (second factor included).
# --- Séances (meetings): ROUTES HERE -----------------------------------------------------------

# --- Transmissions (exchanges): ROUTES HERE ----------------------------------------------------

# --- RGPD (privacy): ROUTES HERE ---------------------------------------------------------------

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

RULED_NAMESPACES = {"admin"}  # every route of these is covered by one rule above

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
