"""Signalements made through the service, so that ciphertexts, person and journal are real."""

from datetime import timedelta

from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.accounts.models import Membership
from cellule.people.identity import Identity
from cellule.reports import services
from cellule.reports.enums import SourceCategory
from cellule.reports.models import Indicator
from tests.accounts.factories import MembershipFactory


def file_signalement(
    cell,
    *,
    by=None,
    last_name="Lefèvre",
    first_name="Benoît",
    birth_date=None,
    approximate_age=None,
    text="Absent du collège depuis trois semaines ; a quitté son club de football.",
    urgent=False,
    codes=("school-dropout", "activities-dropped"),
):
    if by is None:
        membership = Membership.objects.filter(cell=cell, role=Role.REPORTER).first()
        by = (
            membership.user if membership else MembershipFactory(cell=cell, role=Role.REPORTER).user
        )
    if birth_date is None and approximate_age is None:
        birth_date = timezone.localdate().replace(year=timezone.localdate().year - 16) - timedelta(
            days=40
        )
    day = timezone.localdate() - timedelta(days=3)
    indicators = [(Indicator.objects.get(code=code, is_current=True), day) for code in codes]
    return services.file_signalement(
        cell=cell,
        identity=Identity(
            last_name=last_name,
            first_name=first_name,
            birth_date=birth_date,
            approximate_age=approximate_age,
        ),
        observed_on=day,
        source_category=SourceCategory.SCHOOL,
        indicators=indicators,
        text=text,
        urgent=urgent,
        by=by,
    )
