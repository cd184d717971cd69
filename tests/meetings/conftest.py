import io

import pytest


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def ccas(cell):
    """A partner organisation sitting in the cell (measures are proposed to it)."""
    from cellule.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory, OrganisationFactory

    organisation = OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    MembershipFactory(cell=cell, role=Role.MEMBER, user__organisation=organisation)
    return organisation
