"""Operators' commands: create_cell and invite_members, with clear French errors."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cellule.accounts.enums import CellKind, Role
from cellule.accounts.models import Cell, Invitation
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.territory.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def communes(db):
    return CommuneFactory(code="13063", name="Miramas"), CommuneFactory(code="13047", name="Istres")


def test_create_cell_for_a_commune_and_invite_its_coordinator(
    communes, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run(
            "create_cell",
            "--name",
            "CMER de Miramas",
            "--commune",
            "13063",
            "--coordinator-email",
            "Coordination@Miramas.fr",
            "--coordinator-first-name",
            "Karim",
            "--coordinator-last-name",
            "Benali",
        )
    cell = Cell.objects.get(name="CMER de Miramas")
    assert (cell.kind, list(cell.communes.all()), cell.organisation.name) == (
        CellKind.MUNICIPAL,
        [communes[0]],
        "Commune de Miramas",
    )
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "coordination@miramas.fr",
        Role.COORDINATOR,
        admin_user,
    )
    assert len(mail.outbox) == 1 and "Miramas" not in mail.outbox[0].body
    assert f"identifiant {cell.pk}" in output and "Invitation du coordonnateur envoyée" in output


def test_an_intercommunal_cell_names_its_controller(communes):
    with pytest.raises(CommandError, match="--organisation"):
        run("create_cell", "--name", "Interco", "--commune", "13063", "--commune", "13047")
    run(
        "create_cell",
        "--name",
        "Cellule de l'Ouest",
        "--commune",
        "13063",
        "--commune",
        "13047",
        "--organisation",
        "Métropole Ouest",
    )
    cell = Cell.objects.get()
    assert cell.communes.count() == 2 and cell.organisation.kind == "intercommunalite"


def test_the_departmental_cell_covers_its_departement(db):
    DepartementFactory(code="13")
    run("create_cell", "--name", "Cellule 13", "--kind", "departmental", "--departement", "13")
    cell = Cell.objects.get()
    assert (cell.kind, cell.organisation.kind, cell.communes.count()) == (
        "departmental",
        "prefecture",
        0,
    )
    with pytest.raises(CommandError, match="a déjà sa cellule départementale"):
        run("create_cell", "--name", "Autre", "--kind", "departmental", "--departement", "13")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "X", "--commune", "99999"], "Commune\\(s\\) inconnue\\(s\\) : 99999"),
        (["--name", "X"], "au moins une commune"),
        (["--name", "X", "--kind", "departmental"], "Indiquez le département"),
        (
            ["--name", "X", "--kind", "departmental", "--departement", "13", "--commune", "13063"],
            "pas de --commune",
        ),
        (["--name", "X", "--commune", "13063", "--coordinator-email", "a@b.fr"], "--by"),
    ],
)
def test_create_cell_explains_what_is_wrong(communes, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_cell", *args)
    assert not Cell.objects.exists()


def test_a_commune_belongs_to_one_cell_and_a_name_to_one(communes):
    run("create_cell", "--name", "CMER de Miramas", "--commune", "13063")
    with pytest.raises(CommandError, match="s'appelle déjà"):
        run("create_cell", "--name", "cmer de miramas", "--commune", "13047")
    with pytest.raises(CommandError, match="déjà couverte par la cellule « CMER de Miramas »"):
        run("create_cell", "--name", "Autre", "--commune", "13063")


CSV = "email;prénom;nom;organisation;rôle\n{rows}"


def test_invite_members_from_a_csv_file(tmp_path, cell, coordinator):
    organisation = OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    path = tmp_path / "membres.csv"
    path.write_text(
        CSV.format(
            rows="alice@exemple.test;Alice;Martin;CCAS de Miramas;membre partenaire\n"
            "bob@exemple.test;Bob;Roux;ccas de miramas;agent signalant\n"
        ),
        encoding="utf-8",
    )
    output = run("invite_members", "--csv", str(path), "--cell", cell.name)
    assert "2 invitations envoyées" in output
    assert set(Invitation.objects.values_list("email", "role", "organisation", "invited_by")) == {
        ("alice@exemple.test", Role.MEMBER, organisation.pk, coordinator.pk),
        ("bob@exemple.test", Role.REPORTER, organisation.pk, coordinator.pk),
    }


def test_invite_members_sends_nothing_when_a_line_is_wrong(tmp_path, cell, coordinator):
    OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    path = tmp_path / "membres.csv"
    path.write_text(
        CSV.format(
            rows="alice@exemple.test;Alice;Martin;CCAS de Miramas;membre partenaire\n"
            "bob@;Bob;;Inconnue;chef\n"
        ),
        encoding="utf-8",
    )
    errors = StringIO()
    with pytest.raises(CommandError, match="Aucune invitation envoyée"):
        call_command("invite_members", "--csv", str(path), "--cell", str(cell.pk), stderr=errors)
    assert "membres.csv, ligne 3 : Adresse électronique non valide" in errors.getvalue()
    assert not Invitation.objects.exists()


def test_invite_members_needs_a_coordinator_of_the_cell(tmp_path, cell, member):
    path = tmp_path / "membres.csv"
    path.write_text(CSV.format(rows=""), encoding="utf-8")
    with pytest.raises(CommandError, match="--by"):
        run("invite_members", "--csv", str(path), "--cell", cell.name)
    with pytest.raises(CommandError, match="n'est pas coordonnateur habilité"):
        run("invite_members", "--csv", str(path), "--cell", cell.name, "--by", member.email)
    with pytest.raises(CommandError, match="introuvable"):
        run("invite_members", "--csv", str(tmp_path / "absent.csv"), "--cell", cell.name)
    with pytest.raises(CommandError, match="Cellule « Nulle part » introuvable"):
        run("invite_members", "--csv", str(path), "--cell", "Nulle part")


def test_two_coordinators_one_is_named(tmp_path, cell, coordinator):
    other = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    path = tmp_path / "membres.csv"
    path.write_text(CSV.format(rows="x@exemple.test;X;Y;Nulle;membre\n"), encoding="utf-8")
    with pytest.raises(CommandError, match="--by"):
        run("invite_members", "--csv", str(path), "--cell", cell.name)
    with pytest.raises(CommandError, match="Aucune invitation"):
        call_command(
            "invite_members",
            "--csv",
            str(path),
            "--cell",
            cell.name,
            "--by",
            other.email,
            stderr=StringIO(),
        )
