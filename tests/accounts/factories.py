import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.enums import CellKind, GlobalRole, OrganisationKind, Role
from cellule.accounts.models import Cell, Invitation, Membership, Organisation, User
from cellule.accounts.security import digest
from tests.territory.factories import CommuneFactory, DepartementFactory

PASSWORD = "un-mot-de-passe-de-test"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.COMMUNE
    departement = factory.SubFactory(DepartementFactory)


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell
        skip_postgeneration_save = True

    kind = CellKind.MUNICIPAL
    name = factory.Sequence(lambda n: f"CMER n° {n}")
    departement = factory.SubFactory(DepartementFactory)
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and self.kind == CellKind.MUNICIPAL:
            self.communes.set(extracted or [CommuneFactory()])

    class Params:
        departmental = factory.Trait(kind=CellKind.DEPARTMENTAL)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Every account has a confirmed TOTP device unless totp=False."""
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="test", confirmed=True)

    class Params:
        admin = factory.Trait(global_role=GlobalRole.ADMIN)
        dpo = factory.Trait(global_role=GlobalRole.DPO)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    cell = factory.SubFactory(CellFactory)
    role = Role.MEMBER
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=30))
    charter_signed_version = factory.SelfAttribute("cell.charter_version")
    charter_signed_at = factory.LazyFunction(timezone.now)

    class Params:
        unsigned = factory.Trait(charter_signed_version=None, charter_signed_at=None)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation; its link's token is `factory.token` (known only to the test, as to a mailbox)."""

    class Meta:
        model = Invitation
        exclude = ["secret"]

    email = factory.Sequence(lambda n: f"invitee{n}@exemple.test")
    first_name = "Nadia"
    last_name = "Martin"
    organisation = factory.SubFactory(OrganisationFactory)
    cell = factory.SubFactory(CellFactory)
    role = Role.MEMBER
    invited_by = factory.SubFactory(UserFactory)
    secret = factory.Sequence(lambda n: f"secret-de-test-{n}")
    token_hash = factory.LazyAttribute(lambda o: digest(o.secret, purpose="invitation"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=72))

    class Params:
        expired = factory.Trait(
            expires_at=factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))
        )
