"""The demo shows every state of the exchanges, and stays idempotent."""

from cellule.core.demo import seed_demo
from cellule.exchanges.models import Recipient, Transmission


def test_the_demo_has_exchanges_to_show(db):
    seed_demo()
    seed_demo()
    miramas = Transmission.objects.filter(from_cell__name="CMER de Miramas")
    reports = miramas.filter(kind="report_to_state")
    assert sorted(t.status for t in reports) == ["answered", "overdue", "sent"]
    information = Transmission.objects.get(kind="state_information", sent_at__isnull=False)
    assert information.to_cell.name == "CMER de Miramas" and information.is_approved
    assert [r.user.email for r in Recipient.objects.filter(transmission=information)] == [
        "maire.miramas@cellule.test"
    ]
    assert Transmission.objects.filter(kind="state_information", sent_at__isnull=True).count() == 1
    briefings = Transmission.objects.filter(kind="general_briefing")
    assert sorted(b.status for b in briefings) == ["held", "requested"]
    assert Transmission.objects.count() == 8  # 3 reports, 1 feedback, 2 informations, 2 briefings
