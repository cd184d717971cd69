"""The DPO's screens on the journal des accès: search and CSV export (itself journaled)."""

import csv
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cellule.access.journaling import Action, journal_event
from cellule.accounts.models import Cell, User
from cellule.journal.forms import JournalFilterForm
from cellule.journal.models import AuditEvent

PAGE_SIZE = 50


def _filtered(request, form):
    events = AuditEvent.objects.visible_to(request.user).order_by("-seq")
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["user"]:
        user = User.objects.filter(email__iexact=data["user"]).first()
        events = events.filter(actor_id=user.pk) if user else events.none()
    if data["target"]:
        events = events.filter(target_id=str(data["target"]))
    if data["action"]:
        events = events.filter(action=data["action"])
    zone = timezone.get_current_timezone()
    if data["start"]:
        events = events.filter(time__gte=datetime.combine(data["start"], time.min, tzinfo=zone))
    if data["end"]:
        events = events.filter(time__lte=datetime.combine(data["end"], time.max, tzinfo=zone))
    return events


def _names(events):
    """Names of the actors and cells of a page of events, in two queries on the main database."""
    users = {
        u.pk: u for u in User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id})
    }
    cells = {c.pk: c for c in Cell.objects.filter(pk__in={e.cell_id for e in events if e.cell_id})}
    return users, cells


def _require_dpo(user):
    if not (user.is_authenticated and user.is_dpo):
        raise PermissionDenied(
            "Le journal des accès est réservé au délégué à la protection des données."
        )


def _page(events, form) -> tuple[list, bool, bool]:
    """One page of events, newest first, by seq (keyset): (events, newer exist, older exist).

    No COUNT and no OFFSET: each page is an index range scan whatever the journal's size
    (docs/bench.md measured 0.5 s per COUNT on 2 million events)."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("apres") is not None:
        window = list(events.filter(seq__gt=data["apres"]).order_by("seq")[: PAGE_SIZE + 1])
        newer = len(window) > PAGE_SIZE
        rows = window[:PAGE_SIZE][::-1]
        older = bool(rows) and events.filter(seq__lt=rows[-1].seq).exists()
        return rows, newer, older
    if data.get("avant") is not None:
        events = events.filter(seq__lt=data["avant"])
    window = list(events[: PAGE_SIZE + 1])
    rows = window[:PAGE_SIZE]
    newer = data.get("avant") is not None and bool(rows)
    return rows, newer, len(window) > PAGE_SIZE


@require_GET
def journal_list(request):
    _require_dpo(request.user)
    form = JournalFilterForm(request.GET)
    events, newer, older = _page(_filtered(request, form), form)
    users, cells = _names(events)
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="journal.auditevent",
        target_ids=[e.seq for e in events],
    )
    rows = [(event, users.get(event.actor_id), cells.get(event.cell_id)) for event in events]
    query = request.GET.copy()
    for key in ("avant", "apres", "page"):
        query.pop(key, None)
    context = {
        "form": form,
        "rows": rows,
        "first_seq": events[0].seq if events else None,
        "last_seq": events[-1].seq if events else None,
        "newer_than": events[0].seq if newer else None,
        "older_than": events[-1].seq if older else None,
        "query": f"{query.urlencode()}&" if query else "",
        "title": "Journal des accès",
    }
    return render(request, "journal/journal_list.html", context)


class _Echo:
    def write(self, value):
        return value


@require_GET
def journal_export(request):
    _require_dpo(request.user)
    form = JournalFilterForm(request.GET)
    events = _filtered(request, form)
    journal_event(
        request.user,
        Action.JOURNAL_EXPORTED,
        target_type="journal.auditevent",
        reason=request.GET.urlencode(),
    )
    users = dict(User.objects.values_list("pk", "email"))
    cells = dict(Cell.objects.values_list("pk", "name"))
    writer = csv.writer(_Echo(), delimiter=";")
    header = [
        "n°",
        "horodatage",
        "utilisateur",
        "rôle",
        "action",
        "type d'objet",
        "objet",
        "objets affichés",
        "cellule",
        "motif",
        "adresse IP",
        "identifiant de requête",
        "empreinte",
    ]

    def rows():
        yield "\ufeff" + writer.writerow(
            header
        )  # BOM: the spreadsheets of French office PCs read UTF-8
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    event.seq,
                    timezone.localtime(event.time).isoformat(),
                    users.get(event.actor_id, ""),
                    event.actor_role,
                    event.action_label,
                    event.target_type,
                    event.target_id,
                    " ".join(event.target_ids),
                    cells.get(event.cell_id, ""),
                    event.reason,
                    event.ip,
                    event.request_id,
                    event.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-des-acces-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
