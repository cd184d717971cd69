"""A base for Cellule's management commands: their --help and argument errors in French.

Django's own options (--verbosity, --settings…) and argparse's words (usage, errors) are in
English; operators read French. ``CelluleCommand`` translates them; each command still writes
its own ``help`` and its arguments' help in French.
"""

import re
import sys

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

BASE_OPTIONS = {
    "--version": "affiche la version de Django et quitte",
    "--verbosity": "niveau de détail des messages : 0 minimal, 1 normal, 2 détaillé, 3 très détaillé",
    "--settings": "module de réglages Python (par défaut, la variable DJANGO_SETTINGS_MODULE)",
    "--pythonpath": "répertoire à ajouter au chemin de recherche de Python",
    "--traceback": "affiche la pile d'appels complète en cas d'erreur",
    "--no-color": "n'utilise pas de couleurs dans la sortie",
    "--force-color": "utilise des couleurs dans la sortie, même redirigée",
    "--skip-checks": "ne lance pas les vérifications du système",
    "--help": "affiche cette aide et quitte",
}

# argparse's error messages, in French (its own catalogue is English only here).
_ERRORS = [
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (
        r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
        r"argument \1 : choix \2 invalide (valeurs possibles : \3)",
    ),
    (r"argument (.*?): invalid (\w+) value: (.*)", r"argument \1 : valeur \3 invalide"),
    (r"argument (.*?): expected one argument", r"argument \1 : une valeur est attendue"),
    (r"argument (.*?): not allowed with argument (.*)", r"argument \1 : incompatible avec \2"),
    (r"one of the arguments (.*) is required", r"l'un de ces arguments est obligatoire : \1"),
]


def french_error(message: str) -> str:
    for pattern, replacement in _ERRORS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class FrenchHelpFormatter(DjangoHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="utilisation : ")


class FrenchCommandParser(CommandParser):
    def error(self, message):
        message = french_error(message)
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog} : erreur : {message}\n")
        raise CommandError(f"Erreur : {message}")


class CelluleCommand(BaseCommand):
    """BaseCommand with a French --help (usage, Django's options) and French argument errors."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = FrenchCommandParser
        parser._positionals.title = "arguments"
        parser._optionals.title = "options"
        for action in parser._actions:
            for option in action.option_strings:
                if option in BASE_OPTIONS:
                    action.help = BASE_OPTIONS[option]
        return parser
