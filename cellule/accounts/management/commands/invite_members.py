from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from cellule.access.roles import MANAGERS
from cellule.accounts import invitations
from cellule.accounts.models import Cell, Invitation, Membership, User
from cellule.core.commands import CelluleCommand


class Command(CelluleCommand):
    help = (
        "Invite dans une cellule les personnes d'un fichier CSV (colonnes : email ; prénom ; nom "
        "; organisation ; rôle), comme la page « Inviter depuis un fichier ». Toutes les lignes "
        "sont vérifiées d'abord : aucune invitation ne part si l'une est fausse. Les "
        f"invitations partent au nom d'un coordonnateur de la cellule ; chaque lien est valable "
        f"{Invitation.VALIDITY_HOURS} heures."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", required=True, metavar="FICHIER", help="fichier CSV (UTF-8 ou Windows-1252)"
        )
        parser.add_argument(
            "--cell", required=True, help="cellule : son identifiant, ou son nom exact"
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="coordonnateur au nom duquel partent les invitations (par défaut, le seul "
            "coordonnateur habilité de la cellule)",
        )

    def handle(self, *args, csv, cell, by, **options):
        path = Path(csv)
        try:
            content = path.read_bytes()
        except FileNotFoundError as error:
            raise CommandError(f"Fichier « {csv} » introuvable.") from error
        except OSError as error:
            raise CommandError(
                f"Lecture de « {csv} » impossible (droits, répertoire ?)."
            ) from error
        cell = _cell(cell)
        coordinator = _coordinator(cell, by)
        try:
            report = invitations.bulk_invite(
                cell=cell, content=content, by=coordinator, base_url=settings.CELLULE_BASE_URL
            )
        except PermissionDenied as error:
            raise CommandError(
                f"{coordinator.email} ne peut pas inviter dans « {cell.name} » : il faut y être "
                "coordonnateur habilité, charte signée."
            ) from error
        if not report.ok:
            for line, message in report.errors:
                where = f"ligne {line}" if line else "fichier"
                self.stderr.write(f"{path.name}, {where} : {message}")
            raise CommandError("Aucune invitation envoyée : corrigez le fichier puis relancez.")
        count = len(report.invitations)
        self.stdout.write(
            f"{count} invitation{'s' if count > 1 else ''} envoyée{'s' if count > 1 else ''} "
            f"pour « {cell.name} », au nom de {coordinator.get_full_name()}."
        )


def _cell(text: str) -> Cell:
    text = text.strip()
    try:
        cell = Cell.objects.filter(pk=Cell._meta.pk.to_python(text)).first()
    except ValidationError:
        cell = None
    cell = cell or Cell.objects.filter(name__iexact=text).first()
    if cell is None:
        raise CommandError(f"Cellule « {text} » introuvable (identifiant ou nom exact).")
    return cell


def _coordinator(cell, email) -> User:
    managers = Membership.objects.filter(cell=cell, role__in=MANAGERS).granting()
    if email:
        membership = managers.filter(user__email__iexact=email.strip()).select_related("user")
        found = membership.first()
        if found is None:
            raise CommandError(
                f"« {email} » n'est pas coordonnateur habilité de « {cell.name} » (charte signée)."
            )
        return found.user
    users = [m.user for m in managers.select_related("user")[:2]]
    if len(users) != 1:
        raise CommandError(
            "Indiquez --by : l'adresse du coordonnateur au nom duquel partent les invitations."
        )
    return users[0]
