from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from cellule.accounts.models import User
from cellule.api import tokens
from cellule.core.commands import CelluleCommand


class Command(CelluleCommand):
    help = (
        "Crée un jeton d'API pour un compte et l'affiche une seule fois (seule son empreinte est "
        "conservée). Le jeton agit avec exactement les droits du compte ; il expire après "
        "--days jours (90 par défaut) et se révoque depuis le profil du compte."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="adresse électronique du compte")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"durée de validité en jours, de 1 à {tokens.MAX_DAYS} "
            f"(par défaut CELLULE_API_TOKEN_DAYS, soit {tokens.default_days()})",
        )
        parser.add_argument(
            "--name",
            default="Jeton créé par l'exploitant",
            help="nom du jeton, affiché dans le profil (le logiciel qui l'utilisera)",
        )

    def handle(self, *args, email, days, name, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Aucun compte n'a l'adresse « {email} ».")
        try:
            token, raw = tokens.create_token(user=user, name=name, days=days, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expires = timezone.localtime(token.expires_at).strftime("%d/%m/%Y à %H:%M")
        self.stderr.write(
            f"Jeton « {token.name} » créé pour {user.email}, valable jusqu'au {expires}. "
            "Il ne sera plus jamais affiché : transmettez-le par un canal sûr."
        )
        self.stdout.write(raw)
