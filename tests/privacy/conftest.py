"""Retention is tested over years with a frozen clock set in the past (the journal's database
refuses to delete events less than six months old by *its* clock): habilitations here start
long ago, so that the actors may act at any moment of those years."""

from datetime import date

import pytest

from cellule.accounts.enums import Role
from tests.accounts.factories import MembershipFactory

LONG_AGO = date(2000, 1, 1)


def _member(cell, role, **kwargs):
    return MembershipFactory(cell=cell, role=role, valid_from=LONG_AGO, **kwargs).user


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
def outsider(other_cell):
    return _member(other_cell, Role.COORDINATOR)
