"""One fixture per role (architecture §6), a foreign cell, and logged-in clients."""

import os
import types
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.enums import Role
from cellule.accounts.sessions import mark_reauthenticated
from tests.accounts.factories import (
    CellFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

# Playwright runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def verified_client(user) -> Client:
    """A client logged in with password and second factor, as after a real login."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        # A real second-factor step also counts as a fresh authentication (for 10 minutes).
        mark_reauthenticated(types.SimpleNamespace(session=session))
        session.save()
    return client


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Each test gets its own journal checkpoint sink, never the project's var/ directory."""
    settings.CELLULE_JOURNAL_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.CELLULE_JOURNAL_CHECKPOINT_DIR


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the statistics keep their rendered sections there,
    keyed by the state of facts that another test may have had too."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _empty_committed_journal(request):
    """Transactional tests commit journal events, which the insert-only triggers keep from the
    test runner's flush: empty the journal first (this teardown runs before the flush)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        from tests.journal.helpers import wipe_journal

        wipe_journal()


@pytest.fixture(autouse=True)
def _indicator_grid_after_flush(request):
    """A transactional test flushes the database, the indicator grid of the data migration too:
    the next transactional test on the same worker gets it back (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        import importlib

        from django.apps import apps

        request.getfixturevalue("transactional_db")
        grid = importlib.import_module("cellule.reports.migrations.0002_indicator_grid")
        grid.load_grid(apps, None)


@pytest.fixture
def client_for():
    return verified_client


@pytest.fixture
def cell(db):
    return CellFactory(name="CMER de Miramas")


@pytest.fixture
def other_cell(db):
    """A foreign cell: nothing of it is visible from `cell`."""
    return CellFactory(name="CMER d'Istres")


def _member(cell, role, **kwargs):
    return MembershipFactory(cell=cell, role=role, **kwargs).user


@pytest.fixture
def president(cell):
    return _member(cell, Role.PRESIDENT)


@pytest.fixture
def coordinator(cell):
    return _member(cell, Role.COORDINATOR)


@pytest.fixture
def member(cell):
    return _member(cell, Role.MEMBER)


@pytest.fixture
def state_delegate(cell):
    return _member(cell, Role.STATE_DELEGATE)


@pytest.fixture
def reporter(cell):
    return _member(cell, Role.REPORTER)


@pytest.fixture
def guest(cell):
    return _member(cell, Role.GUEST)


@pytest.fixture
def unsigned_member(cell):
    """Habilitated, but has not signed the cell's current charter: no access at all."""
    return _member(cell, Role.MEMBER, unsigned=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(admin=True)


@pytest.fixture
def dpo(cell):
    """The DPO of the controller of `cell`."""
    return UserFactory(dpo=True, organisation=cell.organisation)


@pytest.fixture
def outsider(other_cell):
    """The coordinator of the foreign cell."""
    return _member(other_cell, Role.COORDINATOR)


@dataclass
class World:
    """Every actor of the access matrix, around one cell and a foreign one."""

    cell: object
    other_cell: object
    actors: dict
    invitation: object
    signalement: object


@pytest.fixture
def world(
    cell,
    other_cell,
    president,
    coordinator,
    member,
    state_delegate,
    reporter,
    guest,
    unsigned_member,
    admin_user,
    dpo,
    outsider,
):
    actors = {
        "anonymous": None,
        "president": president,
        "coordinator": coordinator,
        "member": member,
        "state_delegate": state_delegate,
        "reporter": reporter,
        "guest": guest,
        "unsigned": unsigned_member,
        "admin": admin_user,
        "dpo": dpo,
        "outsider": outsider,
    }
    invitation = InvitationFactory(cell=cell, invited_by=coordinator)
    from tests.reports.factories import file_signalement

    signalement = file_signalement(cell, by=reporter)
    return World(
        cell=cell,
        other_cell=other_cell,
        actors=actors,
        invitation=invitation,
        signalement=signalement,
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


def pytest_collection_modifyitems(items):
    """Every database test may use both aliases: each access to personal data writes the journal."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            # Prepended, so that it is the closest marker even for a decorated test function.
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "databases": "__all__"}),
                append=False,
            )
        elif marker is None and "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db(databases="__all__"))


def text(response) -> str:
    """The page as a reader sees it: HTML entities decoded."""
    import html

    return html.unescape(response.content.decode())
