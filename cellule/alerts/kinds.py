"""The kinds of notification: what each says, to whom, how it is delivered, where it leads.

Each kind has a code (stored), a French label (filter and preferences), a short generic text (the
notification's sentence, shown in Cellule and copied into the e-mail), its default delivery,
whether the user may change it, and where opening the notification leads.

Texts are generic on purpose (architecture §2.5): never a name, a birth date, an address or a
report's content. A notification points at its object by type and id; the object's own page, with
its own access rule, shows the rest.

Later issues trigger their kinds with ``cellule.alerts.services.notify(kind=..., ...)`` and
register the page of their objects with ``register_target``:

    register_target("reports.signalement", lambda pk: reverse("reports:detail", args=[pk]))
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from cellule.accounts.enums import GlobalRole, Role
from cellule.alerts.enums import Delivery

EVERYONE = "everyone"  # audience of the account-security kinds

SECURITY_ADVICE = (
    "Si vous n'en êtes pas à l'origine, changez sans attendre votre mot de passe depuis votre "
    "profil, fermez les sessions que vous ne reconnaissez pas et prévenez le coordonnateur de "
    "votre cellule."
)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    text: str
    group: str
    audience: frozenset
    default: str = Delivery.IMMEDIATE
    # False: the user cannot turn it off; it is always sent by e-mail, immediately.
    optional: bool = True
    # "app_label.model" of the object the notification points at ("" for none).
    target_type: str = ""
    # notification → URL, when the kind leads elsewhere than its target type's page.
    destination: Callable | None = None
    advice: str = ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        if not self.optional:
            return [(self.default, Delivery(self.default).label)]
        return list(Delivery.choices)


def _sessions(notification) -> str:
    return reverse("accounts:sessions")


def _profile(notification) -> str:
    return reverse("accounts:profile")


def _journal_alert(notification) -> str:
    """The DPO's journal, filtered on the alert events about the reader's account."""
    url = reverse("journal:list")
    return f"{url}?action=unusual_reading&target={notification.target_id}"


def _dashboard(notification) -> str:
    return reverse("core:home")


G_SECURITY = "Sécurité de votre compte"
G_REPORTS = "Signalements"
G_SITUATIONS = "Situations et accompagnement"
G_MEETINGS = "Séances de la cellule"
G_EXCHANGES = "Échanges avec l'État"
G_JOURNAL = "Journal des accès"

P, C, M, S, R, G = (
    Role.PRESIDENT,
    Role.COORDINATOR,
    Role.MEMBER,
    Role.STATE_DELEGATE,
    Role.REPORTER,
    Role.GUEST,
)
ATTENDEES = frozenset({P, C, M, S, G})

_KINDS = [
    # --- Signalements (reports issue)
    Kind(
        "signalement_to_qualify",
        "Nouveau signalement à qualifier",
        "Un nouveau signalement attend sa qualification.",
        G_REPORTS,
        frozenset({C}),
        target_type="reports.signalement",
    ),
    Kind(
        "qualification_overdue",
        "Qualification en retard",
        "Un signalement attend sa qualification au-delà du délai prévu.",
        G_REPORTS,
        frozenset({C}),
        default=Delivery.DIGEST,
        target_type="reports.signalement",
    ),
    # --- Situations and measures (cases issue)
    Kind(
        "situation_opened",
        "Nouvelle situation suivie dans la commune",
        "Une nouvelle situation est suivie par la cellule.",
        G_SITUATIONS,
        frozenset({P}),
        default=Delivery.DIGEST,
        destination=_dashboard,  # the mayor is told that there is one more, never which one
    ),
    Kind(
        "situation_review_due",
        "Situation à réexaminer",
        "Une situation que vous suivez arrive à sa date de réexamen.",
        G_SITUATIONS,
        frozenset({C, M, S}),
        default=Delivery.DIGEST,
        target_type="cases.situation",
    ),
    Kind(
        "situation_review_overdue",
        "Réexamen de situation en retard",
        "Le réexamen d'une situation que vous suivez a dépassé sa date.",
        G_SITUATIONS,
        frozenset({C, M, S}),
        target_type="cases.situation",
    ),
    Kind(
        "measure_proposed",
        "Mesure proposée à votre organisme",
        "Une mesure d'accompagnement est proposée à votre organisme.",
        G_SITUATIONS,
        frozenset({C, M, S}),
        target_type="cases.measure",
    ),
    # --- Séances (meetings issue)
    Kind(
        "seance_convened",
        "Convocation à une séance",
        "Vous êtes convoqué(e) à une séance de la cellule.",
        G_MEETINGS,
        ATTENDEES,
        target_type="meetings.seance",
    ),
    Kind(
        "seance_agenda_changed",
        "Ordre du jour modifié",
        "L'ordre du jour d'une séance à laquelle vous êtes convoqué(e) a changé.",
        G_MEETINGS,
        ATTENDEES,
        target_type="meetings.seance",
    ),
    Kind(
        "seance_minutes_available",
        "Relevé de décisions disponible",
        "Le relevé de décisions d'une séance est disponible.",
        G_MEETINGS,
        ATTENDEES,
        default=Delivery.DIGEST,
        target_type="meetings.seance",
    ),
    # --- Transmissions (exchanges issue)
    Kind(
        "transmission_received",
        "Transmission reçue",
        "Votre cellule a reçu une transmission.",
        G_EXCHANGES,
        frozenset({P, C, S}),
        target_type="exchanges.transmission",
    ),
    Kind(
        "feedback_due",
        "Retour d'information attendu",
        "Un retour d'information est attendu sur une transmission.",
        G_EXCHANGES,
        frozenset({C}),
        default=Delivery.DIGEST,
        target_type="exchanges.transmission",
    ),
    Kind(
        "feedback_overdue",
        "Retour d'information en retard",
        "Un retour d'information attendu sur une transmission a dépassé son échéance.",
        G_EXCHANGES,
        frozenset({C}),
        target_type="exchanges.transmission",
    ),
    Kind(
        "feedback_received",
        "Retour d'information reçu",
        "Un retour d'information a été reçu sur une transmission de votre cellule.",
        G_EXCHANGES,
        frozenset({P, C}),
        target_type="exchanges.transmission",
    ),
    Kind(
        "state_information_received",
        "Information de l'État qui vous est adressée",
        "Une information de l'État vous est adressée personnellement.",
        G_EXCHANGES,
        frozenset({P, C, S}),
        target_type="exchanges.transmission",
    ),
    # --- Account security: cannot be turned off
    Kind(
        "new_login",
        "Connexion depuis un nouvel appareil",
        "Une connexion à votre compte a eu lieu depuis un appareil ou un réseau inhabituel.",
        G_SECURITY,
        frozenset({EVERYONE}),
        optional=False,
        target_type="accounts.user",
        destination=_sessions,
        advice=SECURITY_ADVICE,
    ),
    Kind(
        "two_factor_changed",
        "Double authentification modifiée",
        "La double authentification de votre compte a été modifiée "
        "(application d'authentification ou codes de secours).",
        G_SECURITY,
        frozenset({EVERYONE}),
        optional=False,
        target_type="accounts.user",
        destination=_profile,
        advice=SECURITY_ADVICE,
    ),
    Kind(
        "password_changed",
        "Mot de passe modifié",
        "Le mot de passe de votre compte a été modifié.",
        G_SECURITY,
        frozenset({EVERYONE}),
        optional=False,
        target_type="accounts.user",
        destination=_profile,
        advice=SECURITY_ADVICE,
    ),
    # --- Retention (privacy issue): what will go, 30 days ahead; the list is in Cellule
    Kind(
        "retention_due",
        "Dossiers arrivant au terme de leur conservation",
        "Des dossiers de votre cellule arrivent au terme de leur durée de conservation : "
        "consultez la liste avant leur suppression.",
        "Conservation des données",
        frozenset({C}),
        destination=lambda notification: reverse("privacy:upcoming"),
    ),
    # --- The DPO's watch over the journal: the DPO's duty, so it cannot be turned off either
    Kind(
        "unusual_reading",
        "Lectures inhabituellement nombreuses",
        "Le journal des accès signale des consultations inhabituellement nombreuses "
        "par un utilisateur.",
        G_JOURNAL,
        frozenset({GlobalRole.DPO}),
        optional=False,
        target_type="accounts.user",
        destination=_journal_alert,
    ),
]

KINDS: dict[str, Kind] = {kind.code: kind for kind in _KINDS}
CHOICES = [(kind.code, kind.label) for kind in _KINDS]
GROUPS = list(dict.fromkeys(kind.group for kind in _KINDS))


def get_kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"Type de notification inconnu : {code!r}") from None


def kinds_for(user, roles) -> list[Kind]:
    """The kinds this user may receive, given their cell roles and global role."""
    own = {*roles, user.global_role} - {""}
    return [kind for kind in _KINDS if EVERYONE in kind.audience or kind.audience & own]


# --- Where a notification leads -----------------------------------------------------------------

# target type → function(target id) → URL of the object's page. That page applies its own access
# rule (access.get_*), so a notification never shows more than the object would: whoever may no
# longer see the object gets that page's 404 or 403.
TARGETS: dict[str, Callable[[str], str]] = {
    "accounts.cell": lambda pk: reverse("accounts:cell_detail", kwargs={"pk": pk}),
}


def register_target(target_type: str, url_for: Callable[[str], str]) -> None:
    """Called by the apps that own a target type (in their AppConfig.ready())."""
    TARGETS[target_type] = url_for


def destination(notification) -> str | None:
    """The URL opening this notification leads to; None when its object has no page (yet)."""
    kind = get_kind(notification.kind)
    if kind.destination is not None:
        return kind.destination(notification)
    if not notification.target_type:
        return reverse("alerts:list")
    url_for = TARGETS.get(notification.target_type)
    return url_for(notification.target_id) if url_for else None
