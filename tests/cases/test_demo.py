"""The demo has situations to show in Miramas, and stays idempotent."""

from django.utils import timezone

from cellule.cases.models import Measure, Situation
from cellule.core.demo import seed_demo


def test_the_demo_follows_situations_in_miramas(db):
    seed_demo()
    seed_demo()
    situations = Situation.objects.filter(cell__name="CMER de Miramas")
    assert sorted(situations.values_list("status", flat=True)) == ["closed", "support", "watch"]
    today = timezone.localdate()
    assert situations.filter(next_review_on__lt=today).count() == 1  # overdue
    assert situations.filter(next_review_on__gte=today).count() == 1  # due soon
    measures = Measure.objects.filter(situation__cell__name="CMER de Miramas")
    assert sorted(measures.values_list("status", flat=True)) == ["accepted", "proposed"]
    assert measures.get(status="proposed").provider.kind == "mission_locale"
    accepted = measures.get(status="accepted")
    assert accepted.consent_on and accepted.parental_consent_on
