"""The DPO's screens on the journal des accès: search and CSV export (itself journaled)."""

import csv
import heapq
from datetime import datetime, time
from itertools import islice
from operator import attrgetter

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cellule.access.journaling import Action, journal_event
from cellule.accounts.models import Cell, User
from cellule.journal.forms import JournalFilterForm
from cellule.journal.models import AuditEvent

PAGE_SIZE = 50


def _searched(request, form) -> list:
    """The DPO's scope in its two parts (scopes.journal_event_parts), each narrowed by the search.

    The parts are queried apart and merged by seq in Python: in one query, their OR keeps
    PostgreSQL from using the (cell_id, seq) and account events' (actor_id, seq) indexes."""
    parts = AuditEvent.objects.visible_parts_to(request.user)
    if not form.is_valid():
        return []
    data = form.cleaned_data
    search = Q()
    if data["user"]:
        user = User.objects.filter(email__iexact=data["user"]).first()
        if user is None:
            return []
        search &= Q(actor_id=user.pk)
    if data["target"]:
        search &= Q(target_id=str(data["target"]))
    if data["action"]:
        search &= Q(action=data["action"])
    zone = timezone.get_current_timezone()
    if data["start"]:
        search &= Q(time__gte=datetime.combine(data["start"], time.min, tzinfo=zone))
    if data["end"]:
        search &= Q(time__lte=datetime.combine(data["end"], time.max, tzinfo=zone))
    return [part.filter(search) for part in parts]


def _merged(parts, *, newest_first: bool, limit: int | None = None, **bound):
    """The events of the parts within the bound, merged by seq: each part ordered by seq (and
    limited: the merge needs no more than ``limit`` of each), then trimmed to ``limit``."""
    order = "-seq" if newest_first else "seq"
    if limit is None:
        streams = [part.filter(**bound).order_by(order).iterator(chunk_size=2000) for part in parts]
    else:
        streams = [part.filter(**bound).order_by(order)[:limit] for part in parts]
    merged = heapq.merge(*streams, key=attrgetter("seq"), reverse=newest_first)
    return merged if limit is None else list(islice(merged, limit))


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


def _page(parts, form) -> tuple[list, bool, bool]:
    """One page of events, newest first, by seq (keyset): (events, newer exist, older exist).

    No COUNT and no OFFSET: each part is read through its own index, whatever the journal's size
    (docs/bench.md measured 0.5 s per COUNT on 2 million events)."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("apres") is not None:
        window = _merged(parts, newest_first=False, limit=PAGE_SIZE + 1, seq__gt=data["apres"])
        newer = len(window) > PAGE_SIZE
        rows = window[:PAGE_SIZE][::-1]
        older = bool(rows) and any(part.filter(seq__lt=rows[-1].seq).exists() for part in parts)
        return rows, newer, older
    bound = {"seq__lt": data["avant"]} if data.get("avant") is not None else {}
    window = _merged(parts, newest_first=True, limit=PAGE_SIZE + 1, **bound)
    rows = window[:PAGE_SIZE]
    newer = data.get("avant") is not None and bool(rows)
    return rows, newer, len(window) > PAGE_SIZE


@require_GET
def journal_list(request):
    _require_dpo(request.user)
    form = JournalFilterForm(request.GET)
    events, newer, older = _page(_searched(request, form), form)
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
    parts = _searched(request, form)
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
        for event in _merged(parts, newest_first=True):
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
