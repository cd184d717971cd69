"""The préfecture's cell of the département of `cell` (and of `other_cell`), with its roles."""

import pytest

from cellule.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.exchanges.factories import departmental_cell


@pytest.fixture
def prefecture(cell):
    return departmental_cell(cell)


def _in(cell, role, **kwargs):
    return MembershipFactory(cell=cell, role=role, **kwargs).user


@pytest.fixture
def referent(prefecture):
    """The préfecture's coordinator (référent radicalisation)."""
    return _in(prefecture, Role.COORDINATOR)


@pytest.fixture
def prefet(prefecture):
    return _in(prefecture, Role.PRESIDENT)


@pytest.fixture
def police_liaison(prefecture):
    """A state delegate sitting in the préfecture's cell."""
    return _in(prefecture, Role.STATE_DELEGATE)


@pytest.fixture
def prefecture_member(prefecture):
    return _in(prefecture, Role.MEMBER)
