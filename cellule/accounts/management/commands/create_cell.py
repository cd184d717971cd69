from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from cellule.access.journaling import Action, journal_event
from cellule.accounts import invitations
from cellule.accounts.enums import CellKind, GlobalRole, OrganisationKind, Role
from cellule.accounts.models import Cell, Invitation, Organisation, User
from cellule.core.commands import CelluleCommand
from cellule.territory.models import Commune, Departement


class Command(CelluleCommand):
    help = (
        "Crée une cellule : une CMER pour une commune (ou plusieurs, pour une cellule "
        "intercommunale), ou la cellule départementale de la préfecture. Invite au passage son "
        "coordonnateur, si son adresse est donnée. Les communes viennent du COG "
        "(manage.py import_cog)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="nom de la cellule (unique)")
        parser.add_argument(
            "--kind",
            choices=CellKind.values,
            default=CellKind.MUNICIPAL,
            help="municipal (CMER, par défaut) ou departmental (cellule de la préfecture)",
        )
        parser.add_argument(
            "--commune",
            action="append",
            default=[],
            metavar="CODE_INSEE",
            help="commune couverte (code INSEE) ; à répéter pour une cellule intercommunale",
        )
        parser.add_argument(
            "--departement",
            metavar="CODE",
            help="département de la cellule départementale (code INSEE, ex. 13 ou 2A)",
        )
        parser.add_argument(
            "--organisation",
            help="responsable de traitement (nom de l'organisation, créée si besoin) ; par "
            "défaut « Commune de <nom> » pour une commune, « Préfecture — <département> » pour "
            "la cellule départementale",
        )
        parser.add_argument("--coordinator-email", help="adresse du coordonnateur à inviter")
        parser.add_argument("--coordinator-first-name", default="", help="son prénom")
        parser.add_argument("--coordinator-last-name", default="", help="son nom")
        parser.add_argument(
            "--coordinator-organisation",
            help="son organisation (par défaut, le responsable de traitement)",
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="administrateur technique au nom duquel part l'invitation (par défaut, le seul "
            "administrateur actif)",
        )

    def handle(self, *args, **options):
        kind = options["kind"]
        name = options["name"].strip()
        if not name:
            raise CommandError("Le nom de la cellule est obligatoire.")
        if Cell.objects.filter(name__iexact=name).exists():
            raise CommandError(f"Une cellule s'appelle déjà « {name} ».")
        departement, communes = self._territory(kind, options["commune"], options["departement"])
        invite = bool(options["coordinator_email"])
        admin = self._administrator(options["by"]) if invite else None
        if invite and not (options["coordinator_first_name"] and options["coordinator_last_name"]):
            raise CommandError(
                "Pour inviter le coordonnateur, donnez aussi --coordinator-first-name et "
                "--coordinator-last-name."
            )
        with transaction.atomic():
            controller = self._organisation(
                options["organisation"] or self._default_controller(kind, departement, communes),
                kind=self._controller_kind(kind, communes),
                departement=departement,
                commune=communes[0] if len(communes) == 1 else None,
            )
            cell = Cell.objects.create(
                kind=kind, name=name, departement=departement, organisation=controller
            )
            cell.communes.set(communes)
            journal_event(
                admin, Action.RECORD_CREATED, target=cell, reason="cellule créée par l'exploitant"
            )
            invitation = None
            if invite:
                organisation = controller
                if options["coordinator_organisation"]:
                    organisation = self._organisation(
                        options["coordinator_organisation"],
                        kind=OrganisationKind.OTHER,
                        departement=departement,
                    )
                try:
                    invitation = invitations.invite(
                        cell=cell,
                        email=options["coordinator_email"],
                        first_name=options["coordinator_first_name"],
                        last_name=options["coordinator_last_name"],
                        organisation=organisation,
                        role=Role.COORDINATOR,
                        by=admin,
                        base_url=settings.CELLULE_BASE_URL,
                    )
                except (ValidationError, PermissionDenied) as error:
                    raise CommandError(_message(error)) from error
        covered = ", ".join(f"{c.name} ({c.code})" for c in communes) or f"{departement}"
        self.stdout.write(f"Cellule « {cell.name} » créée (identifiant {cell.pk}) : {covered}.")
        self.stdout.write(f"Responsable de traitement : {controller.name}.")
        if invitation is not None:
            self.stdout.write(
                f"Invitation du coordonnateur envoyée à {invitation.email} "
                f"(lien valable {Invitation.VALIDITY_HOURS} heures)."
            )

    def _territory(self, kind, codes, departement_code):
        if kind == CellKind.DEPARTMENTAL:
            if codes:
                raise CommandError(
                    "La cellule départementale couvre tout le département : pas de --commune."
                )
            if not departement_code:
                raise CommandError("Indiquez le département : --departement CODE.")
            departement = Departement.objects.filter(code=departement_code.strip().upper()).first()
            if departement is None:
                raise CommandError(
                    f"Département « {departement_code} » inconnu : chargez le COG "
                    "(manage.py import_cog) ou vérifiez le code."
                )
            existing = Cell.objects.filter(kind=kind, departement=departement).first()
            if existing is not None:
                raise CommandError(
                    f"Le département a déjà sa cellule départementale : « {existing.name} »."
                )
            return departement, []
        if not codes:
            raise CommandError("Indiquez au moins une commune : --commune CODE_INSEE.")
        found = Commune.objects.in_bulk([code.strip().upper() for code in codes])
        missing = [code for code in codes if code.strip().upper() not in found]
        if missing:
            raise CommandError(
                f"Commune(s) inconnue(s) : {', '.join(missing)}. Chargez le COG "
                "(manage.py import_cog) ou vérifiez les codes INSEE."
            )
        communes = list(found.values())
        departements = {commune.departement_id for commune in communes}
        if len(departements) > 1:
            raise CommandError("Les communes d'une cellule doivent être du même département.")
        if departement_code and departement_code.strip().upper() not in departements:
            raise CommandError("Les communes ne sont pas dans le département indiqué.")
        taken = (
            Cell.objects.filter(kind=CellKind.MUNICIPAL, communes__in=communes)
            .values_list("name", flat=True)
            .first()
        )
        if taken:
            raise CommandError(f"Une des communes est déjà couverte par la cellule « {taken} ».")
        return communes[0].departement, communes

    @staticmethod
    def _controller_kind(kind, communes):
        if kind == CellKind.DEPARTMENTAL:
            return OrganisationKind.PREFECTURE
        return OrganisationKind.COMMUNE if len(communes) == 1 else OrganisationKind.INTERCOMMUNALITE

    @staticmethod
    def _default_controller(kind, departement, communes) -> str:
        if kind == CellKind.DEPARTMENTAL:
            return f"Préfecture — {departement.name}"
        if len(communes) == 1:
            return f"Commune de {communes[0].name}"
        raise CommandError(
            "Cellule intercommunale : indiquez son responsable de traitement avec --organisation."
        )

    @staticmethod
    def _organisation(name, *, kind, departement, commune=None) -> Organisation:
        organisation, _ = Organisation.objects.get_or_create(
            name=name.strip(),
            departement=departement,
            defaults={"kind": kind, "commune": commune},
        )
        return organisation

    @staticmethod
    def _administrator(email):
        admins = User.objects.filter(global_role=GlobalRole.ADMIN, is_active=True)
        if email:
            admin = admins.filter(email__iexact=email.strip()).first()
            if admin is None:
                raise CommandError(f"« {email} » n'est pas un administrateur technique actif.")
            return admin
        found = list(admins[:2])
        if len(found) != 1:
            raise CommandError(
                "Indiquez --by : l'adresse de l'administrateur technique au nom duquel "
                "l'invitation part."
            )
        return found[0]


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Invitation refusée."
