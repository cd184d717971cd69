"""The dashboard's RGPD panels: the DPO's (requests, certificates, holds) and the cell
managers' (what the purge will destroy within 30 days, the requests to handle)."""

from django.utils import timezone

from cellule.access.roles import CELL_WIDE, MANAGERS


def panel(request, membership) -> dict:
    from cellule.privacy.models import LegalHold, PurgeCertificate, RightsRequest
    from cellule.privacy.purge import upcoming_summary

    user = request.user
    context = {}
    today = timezone.localdate()
    if user.is_dpo:
        requests = RightsRequest.objects.visible_to(user).open()
        context["privacy_dpo"] = {
            "open_requests": requests.count(),
            "overdue_requests": requests.filter(deadline__lt=today).count(),
            "active_holds": LegalHold.objects.visible_to(user).active().count(),
            "last_certificate": PurgeCertificate.objects.visible_to(user)
            .order_by("-started_at")
            .first(),
        }
    if membership is not None and membership.role in CELL_WIDE:
        summary = upcoming_summary(cell_id=membership.cell_id)
        context["privacy_cell"] = {
            "due_count": summary["due"],
            "held_count": summary["held"],
            "first_due": summary["first_due"],
            "open_requests": RightsRequest.objects.visible_to(user)
            .filter(cell_id=membership.cell_id)
            .open()
            .count()
            if membership.role in MANAGERS
            else None,
        }
    return context
