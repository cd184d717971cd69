import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cellule.accounts.charter import DEFAULT_CHARTER
from cellule.accounts.enums import CellKind, GlobalRole, OrganisationKind, Role
from cellule.accounts.security import (  # noqa: F401
    FormSubmission,
    RecoveryCode,
    RecoveryCodeDevice,
    UserSession,
)

# The technical administrator manages these apps in the admin, and nothing else (no personal data).
ADMIN_APP_LABELS = frozenset({"accounts", "territory", "dsfr"})
# ...and these reference models of other apps (never a model holding personal data).
ADMIN_MODELS = {"reports": frozenset({"indicator"})}


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=40, choices=OrganisationKind.choices)
    departement = models.ForeignKey(
        "territory.Departement",
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "departement"], name="organisation_unique_name")
        ]

    def __str__(self):
        return self.name


class CellQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.cells(self, user)


class Cell(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("type", max_length=20, choices=CellKind.choices)
    name = models.CharField("nom", max_length=200, unique=True)
    departement = models.ForeignKey(
        "territory.Departement",
        verbose_name="département",
        on_delete=models.PROTECT,
        related_name="cells",
    )
    communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name="communes couvertes",
        blank=True,
        related_name="cells",
        help_text="Une commune pour une CMER, plusieurs pour une cellule intercommunale ; "
        "aucune pour la cellule départementale, qui couvre tout le département.",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="responsable de traitement",
        on_delete=models.PROTECT,
        related_name="cells",
        help_text="La commune (le maire) pour une CMER, la préfecture pour la cellule départementale.",
    )
    charter_text = models.TextField("charte de confidentialité", default=DEFAULT_CHARTER)
    charter_version = models.PositiveIntegerField("version de la charte", default=1)
    charter_updated_at = models.DateTimeField("charte modifiée le", default=timezone.now)
    meeting_interval_weeks = models.PositiveSmallIntegerField(
        "rythme des séances (semaines)", default=5
    )
    feedback_deadline_days = models.PositiveSmallIntegerField(
        "délai de retour d'information (jours)", default=30
    )
    qualification_delay_days = models.PositiveSmallIntegerField(
        "délai de qualification des signalements (jours)", default=7
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CellQuerySet.as_manager()

    class Meta:
        verbose_name = "cellule"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_cell(self, user)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        """``createsuperuser`` makes a technical administrator: no access to personal data."""
        extra_fields["global_role"] = GlobalRole.ADMIN
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    global_role = models.CharField(
        "rôle transversal",
        max_length=10,
        choices=GlobalRole.choices,
        default=GlobalRole.NONE,
        blank=True,
    )
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_admin(self) -> bool:
        return self.global_role == GlobalRole.ADMIN

    @property
    def is_dpo(self) -> bool:
        return self.global_role == GlobalRole.DPO

    # The Django admin is the technical administrator's tool, limited to reference data and accounts.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj=None) -> bool:
        if not self.is_staff:
            return False
        app_label, _, codename = perm.partition(".")
        model = codename.partition("_")[2]
        return app_label in ADMIN_APP_LABELS or model in ADMIN_MODELS.get(app_label, ())

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff and (app_label in ADMIN_APP_LABELS or app_label in ADMIN_MODELS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def open(self):
        """Neither accepted nor cancelled (expired ones included: they can be sent again)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.invitations(self, user)


class Invitation(models.Model):
    """An invitation to join a cell with a role. The link's token is stored hashed only."""

    VALIDITY_HOURS = 72

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT
    )
    cell = models.ForeignKey(
        Cell, verbose_name="cellule", on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        "accounts.User",
        verbose_name="invitée par",
        on_delete=models.PROTECT,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("valable jusqu'au")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)
    renewal_requested_at = models.DateTimeField("nouvel envoi demandé le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()} — {self.cell}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "acceptée"
        if self.revoked_at:
            return "annulée"
        if self.is_expired:
            return "expirée"
        return "en attente"

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_invitation(self, user)


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Memberships in force on a day (today by default), of active users in active cells."""
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            valid_from__lte=day,
            ended_at__isnull=True,
            user__is_active=True,
            cell__is_active=True,
        )

    def charter_signed(self):
        return self.filter(charter_signed_version=F("cell__charter_version"))

    def charter_unsigned(self):
        return self.filter(
            Q(charter_signed_version__isnull=True)
            | ~Q(charter_signed_version=F("cell__charter_version"))
        )

    def granting(self, on=None):
        """The memberships that open access: in force and with the current charter signed."""
        return self.current(on).charter_signed()

    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.memberships(self, user)


class Membership(models.Model):
    """An habilitation: a user's role in one cell, for a period, once the charter is signed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="memberships"
    )
    cell = models.ForeignKey(
        Cell, verbose_name="cellule", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    valid_from = models.DateField("à partir du", default=timezone.localdate)
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    charter_signed_version = models.PositiveIntegerField(
        "version de charte signée", null=True, blank=True
    )
    charter_signed_at = models.DateTimeField("charte signée le", null=True, blank=True)
    ended_at = models.DateTimeField("retirée le", null=True, blank=True)
    ended_by = models.ForeignKey(
        User,
        verbose_name="retirée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "habilitation"
        ordering = ["cell__name", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cell"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_open_per_user_and_cell",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="membership_period_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.cell}"

    @property
    def charter_is_signed(self) -> bool:
        return self.charter_signed_version == self.cell.charter_version

    def is_current(self, on=None) -> bool:
        day = on or timezone.localdate()
        if self.ended_at is not None:
            return False
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_membership(self, user)


class ExternalIdentity(models.Model):
    """A link between an account and its identity at ProConnect, made at the first login through it.

    ProConnect's ``sub`` is specific to each identity provider, so the key is (idp_id, sub).
    """

    PROCONNECT = "proconnect"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    provider = models.CharField(
        "fournisseur", max_length=20, choices=[(PROCONNECT, "ProConnect")], default=PROCONNECT
    )
    idp_id = models.CharField("fournisseur d'identité", max_length=255)
    sub = models.CharField("identifiant chez le fournisseur", max_length=255)
    created_at = models.DateTimeField("associée le", auto_now_add=True)
    last_login_at = models.DateTimeField("dernière connexion", null=True, blank=True)

    class Meta:
        verbose_name = "identité externe"
        verbose_name_plural = "identités externes"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "idp_id", "sub"], name="external_identity_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_provider_display()} — {self.user}"
