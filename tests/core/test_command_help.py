"""The operators' commands speak French: --help, and argument errors."""

import re

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from cellule.core.commands import CelluleCommand

# The operator commands of issue #12 (architecture §9).
COMMANDS = [
    "import_cog",
    "create_cell",
    "invite_members",
    "seed_demo",
    "journal_verify",
    "journal_checkpoint",
    "purge",
    "rotate_master_key",
    "create_api_token",
    "backup",
    "restore",
]
ENGLISH = re.compile(
    r"\b(the|and|show|this|of|to|with|is|for|from|into|only|which|when|skip|usage|"
    r"positional|help|message|exit|output|verbosity|settings)\b",
    re.IGNORECASE,
)


def parser_of(name):
    commands = get_commands()
    if name not in commands:
        pytest.skip(f"manage.py {name} n'existe pas encore (son module le fournira).")
    command = load_command_class(commands[name], name)
    assert isinstance(command, CelluleCommand), (
        f"manage.py {name} : dérivez la commande de cellule.core.commands.CelluleCommand "
        "(aide et erreurs d'arguments en français)"
    )
    return command.create_parser("manage.py", name)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_operator_command_has_a_french_help(name):
    parser = parser_of(name)
    text = parser.format_help()
    assert text.startswith("utilisation : manage.py"), text[:80]
    assert parser.description, f"{name}: no description"
    for action in parser._actions:
        assert action.help, f"{name} {action.option_strings}: no help"
        assert not ENGLISH.search(action.help), f"{name} {action.option_strings}: {action.help}"
    # Option names and metavars aside, the whole text reads French.
    prose = re.sub(r"(-{1,2}[\w-]+|[A-Z_]{2,}|\{[^}]*\})", " ", text)
    assert not ENGLISH.search(prose.replace("utilisation :", "")), prose


def test_argument_errors_are_french():
    with pytest.raises(CommandError, match="arguments obligatoires manquants : RÉPERTOIRE"):
        call_command("restore")
    with pytest.raises(CommandError, match=r"argument --days : valeur 'beaucoup' invalide"):
        call_command("create_api_token", "--email", "a@b.c", "--days", "beaucoup")
