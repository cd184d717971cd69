"""Invitations: the only way an account or a habilitation comes into being.

The link carries a random secret signed with a timestamp; the database keeps only a keyed hash of
the secret, so a copy of the database does not give working links. A link is valid 72 hours and
once.
"""

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cellule.access.journaling import Action, journal_event
from cellule.access.roles import forget_roles
from cellule.accounts.enums import Role
from cellule.accounts.models import Invitation, Membership, Organisation, User
from cellule.accounts.security import digest

SALT = "cellule.invitation"
# Roles a coordinator gives by invitation (a guest is invited to one séance, from the séance).
INVITABLE_ROLES = [
    Role.PRESIDENT,
    Role.COORDINATOR,
    Role.MEMBER,
    Role.STATE_DELEGATE,
    Role.REPORTER,
]


def _new_token() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return signing.TimestampSigner(salt=SALT).sign(secret), digest(secret, purpose="invitation")


@dataclass(frozen=True)
class TokenCheck:
    invitation: Invitation | None
    state: str  # valid, expired, used, revoked, invalid

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def check_token(token: str) -> TokenCheck:
    try:
        secret = signing.TimestampSigner(salt=SALT).unsign(token)
    except signing.BadSignature:
        return TokenCheck(None, "invalid")
    invitation = (
        Invitation.objects.select_related("cell", "organisation", "invited_by")
        .filter(token_hash=digest(secret, purpose="invitation"))
        .first()
    )
    if invitation is None:
        # A link replaced by a newer sending: treat like an expired one, without a way back to it.
        return TokenCheck(None, "invalid")
    if invitation.accepted_at:
        return TokenCheck(invitation, "used")
    if invitation.revoked_at:
        return TokenCheck(invitation, "revoked")
    if invitation.is_expired:
        return TokenCheck(invitation, "expired")
    return TokenCheck(invitation, "valid")


def _send_invitation(invitation: Invitation, token: str, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("accounts:invitation_accept", kwargs={"token": token})
    context = {"link": link, "hours": Invitation.VALIDITY_HOURS}
    body = render_to_string("accounts/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(
            "Cellule : votre invitation", body, None, [invitation.email], fail_silently=False
        )
    )


def _check_can_invite(*, cell, role, by) -> None:
    abilities = cell.abilities(by)
    if abilities["invite"] and role in INVITABLE_ROLES:
        return
    if abilities["invite_coordinator"] and role == Role.COORDINATOR:
        return
    raise PermissionDenied("Vous ne pouvez pas inviter dans cette cellule avec ce rôle.")


def organisations_for(cell):
    """Organisations a cell's members may belong to: those of its département, and national ones."""
    return Organisation.objects.filter(
        Q(departement=cell.departement_id) | Q(departement__isnull=True)
    )


def invitation_conflicts(*, cell, email: str) -> list[str]:
    problems = []
    if Membership.objects.filter(cell=cell, user__email__iexact=email).current().exists():
        problems.append("Cette personne est déjà habilitée dans la cellule.")
    if Invitation.objects.filter(cell=cell, email__iexact=email).pending().exists():
        problems.append(
            "Une invitation est déjà en attente pour cette adresse : renvoyez-la plutôt."
        )
    return problems


@transaction.atomic
def invite(*, cell, email, first_name, last_name, organisation, role, by, base_url) -> Invitation:
    _check_can_invite(cell=cell, role=role, by=by)
    email = email.strip().lower()
    problems = invitation_conflicts(cell=cell, email=email)
    if problems:
        raise ValidationError(problems)
    token, token_hash = _new_token()
    invitation = Invitation.objects.create(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        cell=cell,
        role=role,
        invited_by=by,
        token_hash=token_hash,
        expires_at=timezone.now() + timedelta(hours=Invitation.VALIDITY_HOURS),
    )
    journal_event(by, Action.INVITATION_SENT, target=invitation)
    _send_invitation(invitation, token, base_url)
    return invitation


@transaction.atomic
def resend_invitation(*, invitation, by, base_url) -> Invitation:
    """A new link, valid 72 hours again; the previous link stops working."""
    if not invitation.abilities(by)["resend"]:
        raise PermissionDenied
    token, invitation.token_hash = _new_token()
    invitation.expires_at = timezone.now() + timedelta(hours=Invitation.VALIDITY_HOURS)
    invitation.renewal_requested_at = None
    invitation.save(update_fields=["token_hash", "expires_at", "renewal_requested_at"])
    journal_event(by, Action.INVITATION_SENT, target=invitation, reason="nouvel envoi")
    _send_invitation(invitation, token, base_url)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation, by) -> Invitation:
    if not invitation.abilities(by)["revoke"]:
        raise PermissionDenied
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    journal_event(by, Action.INVITATION_REVOKED, target=invitation)
    return invitation


@transaction.atomic
def request_renewal(*, invitation, base_url) -> None:
    """The invitee of an expired link asks for a new one: the inviter is told (no name in the mail)."""
    if invitation.renewal_requested_at is not None:
        return
    invitation.renewal_requested_at = timezone.now()
    invitation.save(update_fields=["renewal_requested_at"])
    journal_event(
        None, Action.RECORD_UPDATED, target=invitation, reason="nouvel envoi demandé par l'invité"
    )
    body = render_to_string(
        "accounts/email/invitation_renewal.txt",
        {
            "link": base_url.rstrip("/")
            + reverse("accounts:cell_detail", kwargs={"pk": invitation.cell_id})
        },
    )
    recipient = invitation.invited_by.email
    transaction.on_commit(
        lambda: send_mail("Cellule : une invitation à renouveler", body, None, [recipient])
    )


@transaction.atomic
def accept_invitation(*, invitation, password=None, user=None) -> User:
    """Creates the account (new person) or uses the logged-in one, then the habilitation."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at or invitation.is_expired:
        raise ValidationError("Cette invitation n'est plus valable.")
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                "Un compte existe déjà pour cette adresse : connectez-vous pour accepter."
            )
        user = User.objects.create_user(
            invitation.email,
            password,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            organisation=invitation.organisation,
        )
    elif user.email.lower() != invitation.email.lower():
        raise PermissionDenied("Cette invitation est adressée à une autre personne.")
    membership = Membership.objects.create(
        user=user, cell=invitation.cell, role=invitation.role, created_by=invitation.invited_by
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    forget_roles(user)
    journal_event(user, Action.INVITATION_ACCEPTED, target=invitation)
    journal_event(user, Action.MEMBERSHIP_CREATED, target=membership)
    return user


# --- Bulk invitation from a CSV file ----------------------------------------------------------

COLUMNS = {
    "email": {
        "email",
        "courriel",
        "adresse électronique",
        "adresse electronique",
        "e-mail",
        "mail",
    },
    "first_name": {"first_name", "prénom", "prenom"},
    "last_name": {"last_name", "nom"},
    "organisation": {"organisation", "organisme", "structure"},
    "role": {"role", "rôle"},
}
MAX_ROWS = 500


@dataclass
class BulkReport:
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _role_from(text: str):
    wanted = text.strip().lower()
    for role in INVITABLE_ROLES:
        if wanted in {role.value, role.label.lower()}:
            return role
    return None


def read_csv(content: bytes) -> tuple[list[dict], list[tuple[int, str]]]:
    """Rows keyed by our column names, or the errors that make the file unreadable."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")  # a spreadsheet saved « CSV » on a French office PC
        except UnicodeDecodeError:
            return [], [
                (0, "Le fichier n'est pas un texte lisible : enregistrez-le au format CSV (UTF-8).")
            ]
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        return [], [(0, "Le fichier est vide.")]
    positions = {}
    for index, name in enumerate(header):
        for key, aliases in COLUMNS.items():
            if name.strip().lower() in aliases:
                positions[key] = index
    missing = [key for key in COLUMNS if key not in positions]
    if missing:
        expected = "email ; prénom ; nom ; organisation ; rôle"
        return [], [(1, f"En-tête incomplet : colonnes attendues « {expected} ».")]
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        rows.append(
            {
                "line": line,
                **{k: (values[i].strip() if i < len(values) else "") for k, i in positions.items()},
            }
        )
    if len(rows) > MAX_ROWS:
        return [], [(0, f"Le fichier compte {len(rows)} lignes : {MAX_ROWS} au plus par envoi.")]
    if not rows:
        return [], [(0, "Le fichier ne contient aucune ligne après l'en-tête.")]
    return rows, []


def bulk_invite(*, cell, content: bytes, by, base_url) -> BulkReport:
    """Checks every line first; creates all the invitations, or none if any line is wrong."""
    if not cell.abilities(by)["invite"]:
        raise PermissionDenied
    report = BulkReport()
    rows, report.errors = read_csv(content)
    if report.errors:
        return report
    organisations = {org.name.lower(): org for org in organisations_for(cell)}
    seen = set()
    checked = []
    for row in rows:
        line, problems = row["line"], []
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"adresse électronique non valide « {row['email']} »")
        if email in seen:
            problems.append("adresse en double dans le fichier")
        seen.add(email)
        if not row["first_name"] or not row["last_name"]:
            problems.append("prénom et nom obligatoires")
        organisation = organisations.get(row["organisation"].lower())
        if organisation is None:
            problems.append(f"organisation inconnue « {row['organisation']} »")
        role = _role_from(row["role"])
        if role is None:
            problems.append(f"rôle inconnu « {row['role']} »")
        if not problems:
            problems.extend(
                p.rstrip(".").lower() for p in invitation_conflicts(cell=cell, email=email)
            )
        if problems:
            message = " ; ".join(problems)
            report.errors.append((line, message[0].upper() + message[1:] + "."))
        else:
            checked.append({**row, "email": email, "organisation": organisation, "role": role})
    if report.errors:
        return report
    with transaction.atomic():
        for row in checked:
            report.invitations.append(
                invite(
                    cell=cell,
                    email=row["email"],
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    organisation=row["organisation"],
                    role=row["role"],
                    by=by,
                    base_url=base_url,
                )
            )
    return report
