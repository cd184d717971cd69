"""What the exchanges app adds to pages of other apps: the situation's chronology and the
dashboard. Both go through ``Transmission.objects.visible_to``: a state_information appears only
to its named recipients, everywhere."""

from datetime import datetime, time

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from cellule.access.abilities import EXCHANGE_FOLLOWERS
from cellule.cases.timeline import Entry
from cellule.exchanges.enums import FeedbackOutcome, TransmissionKind

K = TransmissionKind


def _noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _name(user) -> str:
    return user.get_full_name() if user else ""


def timeline_entries(situation, reader, abilities) -> list[Entry]:
    """Signalements à l'État sent from the situation, their acknowledgement and feedback, and a
    state_information answering one of them (to its recipients, without its content)."""
    from cellule.exchanges.models import Transmission

    if not (abilities.get("view") or abilities.get("view_archived")):
        return []
    rows = (
        Transmission.objects.visible_to(reader)
        .filter(Q(situation=situation) | Q(reply_to__situation=situation))
        .sent()
        .select_related("sent_by", "acknowledged_by", "to_cell", "from_cell")
        .order_by("sent_at")
    )
    entries = []
    today = timezone.localdate()
    for t in rows:
        url = reverse("exchanges:detail", kwargs={"pk": t.reply_to_id or t.pk})
        extra = {"url": url, "link": f"Voir la transmission n° {(t.reply_to or t).reference}"}
        if t.kind == K.REPORT_TO_STATE:
            entries.append(
                Entry(
                    t.sent_at,
                    f"Signalement transmis à la préfecture (n° {t.reference})",
                    f"{len(t.fields)} élément(s) transmis à {t.to_cell.name}.",
                    _name(t.sent_by),
                    extra,
                )
            )
            if t.acknowledged_at:
                entries.append(
                    Entry(
                        t.acknowledged_at,
                        "Réception accusée par la préfecture",
                        by=_name(t.acknowledged_by),
                    )
                )
            if t.feedback_given_at is None and t.feedback_due_on and t.feedback_due_on < today:
                entries.append(
                    Entry(
                        _noon(t.feedback_due_on),
                        "Retour d'information en retard",
                        f"Attendu avant le {t.feedback_due_on:%d/%m/%Y}.",
                        extra=extra,
                    )
                )
        elif t.kind == K.FEEDBACK:
            entries.append(
                Entry(
                    t.sent_at,
                    "Retour d'information de la préfecture : "
                    f"{FeedbackOutcome(t.feedback_outcome).label}",
                    by=_name(t.sent_by),
                    extra=extra,
                )
            )
        elif t.kind == K.STATE_INFORMATION:
            entries.append(
                Entry(
                    t.sent_at,
                    "Information confidentielle du préfet, qui vous est adressée",
                    "Confidentiel — charte : consultable par ses seuls destinataires, sur la page "
                    "de la transmission.",
                    extra={"url": reverse("exchanges:detail", kwargs={"pk": t.pk}), "link": "Lire"},
                )
            )
    return entries


def dashboard(request, membership) -> dict:
    """Counts only: the préfecture's inbox; the commune's signalements waiting for feedback; the
    user's unread nominative informations."""
    from cellule.exchanges.models import Recipient, Transmission

    if membership is None or membership.role not in EXCHANGE_FOLLOWERS:
        return {}
    cell = membership.cell
    today = timezone.localdate()
    departmental = cell.kind == "departmental"
    reports = Transmission.objects.visible_to(request.user).filter(kind=K.REPORT_TO_STATE)
    reports = reports.filter(to_cell=cell) if departmental else reports.filter(from_cell=cell)
    waiting = Q(feedback_given_at__isnull=True)
    counts = reports.aggregate(
        to_acknowledge=Count("pk", filter=Q(acknowledged_at__isnull=True) & waiting),
        awaiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(feedback_due_on__lt=today)),
    )
    briefings = 0
    if departmental:
        briefings = (
            Transmission.objects.visible_to(request.user)
            .filter(kind=K.GENERAL_BRIEFING, to_cell=cell, briefing_held_on__isnull=True)
            .count()
        )
    unread = Recipient.objects.filter(
        user=request.user,
        read_at__isnull=True,
        transmission__to_cell=cell,
        transmission__sent_at__isnull=False,
        transmission__expires_at__gt=timezone.now(),
    ).count()
    return {
        "exchanges": {
            "departmental": departmental,
            "briefings": briefings,
            "unread_information": unread,
            **counts,
        }
    }
