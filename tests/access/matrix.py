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
    **dict.fromkeys(("member", "state_delegate", "reporter", "guest", "admin", "dpo", "outsider"), 404),
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

# The Django admin is one rule: the technical administrator only (second factor included).
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
