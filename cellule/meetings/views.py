"""Séances: list and history, planning, the séance's page (agenda redacted per reader), the room
(attendance, acknowledgements, decisions, all by htmx), and the relevé de décisions (PDF).

In the room every form posts with htmx and gets its own fragment back; without JavaScript the
same forms post normally and the page comes back whole. A failed request leaves the form as it
was, with its text, and ``seance.js`` says it was not saved.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cellule import access
from cellule.access.abilities import may_plan_seance
from cellule.access.current import current_membership
from cellule.access.journaling import Action, journal_event
from cellule.access.roles import SITTING, role_in
from cellule.accounts.enums import Role
from cellule.cases import services as case_services
from cellule.cases.models import Situation
from cellule.core.http import add_service_errors, posted
from cellule.meetings import services
from cellule.meetings.agenda import agenda_rows
from cellule.meetings.enums import AttendeeKind, DecisionKind, SeanceStatus
from cellule.meetings.forms import (
    AddItemForm,
    AttendanceForm,
    DecisionForm,
    GuestForm,
    SeanceForm,
)
from cellule.meetings.links import transmission_url
from cellule.meetings.minutes import render_minutes
from cellule.meetings.models import Seance

PAGE_SIZE = 20


def _membership(request):
    membership = current_membership(request)
    if membership is None or (membership.role not in SITTING and membership.role != Role.GUEST):
        raise PermissionDenied("Votre habilitation ne donne accès à aucune séance.")
    return membership


# --- Lists and planning -------------------------------------------------------------------------


def seance_list(request):
    membership = _membership(request)
    seances = (
        Seance.objects.visible_to(request.user)
        .filter(cell_id=membership.cell_id)
        .annotate(item_count=Count("items"))
    )
    history = Paginator(seances.history(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/seance_list.html",
        {
            "cell": membership.cell,
            "upcoming": list(seances.upcoming()),
            "page": history,
            "query": "",
            "can_plan": may_plan_seance(request.user, membership.cell),
            "today": timezone.localdate(),
            "title": "Séances",
        },
    )


@require_http_methods(["GET", "POST"])
def seance_new(request):
    membership = _membership(request)
    cell = membership.cell
    if not may_plan_seance(request.user, cell):
        raise PermissionDenied("Seul le coordonnateur planifie les séances.")
    form = SeanceForm(posted(request), cell=cell)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            seance = services.plan_seance(
                cell=cell,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                format=data["format"],
                members=data["members"],
                by=request.user,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                "Séance planifiée, avec l'ordre du jour proposé. Relisez-le, puis convoquez.",
            )
            return redirect("meetings:detail", pk=seance.pk)
    return render(
        request,
        "meetings/seance_form.html",
        {"form": form, "cell": cell, "title": "Planifier une séance"},
    )


def _service_errors(form, error):
    """The schedule's errors name starts_at / ends_at: shown on the day and time fields."""
    if hasattr(error, "error_dict"):
        moved = {"starts_at": "day", "ends_at": "end"}
        error = ValidationError(
            {moved.get(name, name): messages for name, messages in error.message_dict.items()}
        )
    add_service_errors(form, error)


@require_http_methods(["GET", "POST"])
def seance_edit(request, pk):
    seance = access.get_seance(request.user, pk, ability="edit")
    form = SeanceForm(posted(request), cell=seance.cell, seance=seance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_seance(
                seance=seance,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                format=data["format"],
                members=data["members"],
                by=request.user,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "Séance modifiée.")
            return redirect("meetings:detail", pk=seance.pk)
    return render(
        request,
        "meetings/seance_form.html",
        {"form": form, "cell": seance.cell, "seance": seance, "title": "Modifier la séance"},
    )


# --- The séance's page --------------------------------------------------------------------------


def _add_choices(request, seance, rows):
    """Open situations of the cell not on the agenda, by name: the coordinator's choice."""
    on_agenda = {row.item.situation_id for row in rows}
    situations = [
        s
        for s in Situation.objects.visible_to(request.user)
        .filter(cell_id=seance.cell_id)
        .open()
        .select_related("person__key")
        .order_by("opened_at")
        if s.pk not in on_agenda
    ]
    if situations:
        journal_event(
            request.user,
            Action.LIST_VIEWED,
            target_type="cases.situation",
            target_ids=[s.pk for s in situations],
            cell=seance.cell_id,
            reason="situations à inscrire à l'ordre du jour",
        )
    return [
        (
            str(s.pk),
            f"Situation n° {s.reference} — {s.person.identity.last_name} "
            f"{s.person.identity.first_name}",
        )
        for s in situations
    ]


def _seance_context(request, seance, *, forms=None):
    user = request.user
    abilities = seance.abilities(user)
    rows = agenda_rows(seance, user, abilities)
    forms = forms or {}
    role = role_in(user, seance.cell_id)
    own = seance.attendee_for(user)
    context = {
        "seance": seance,
        "abilities": abilities,
        "rows": rows,
        "own": own,
        "show_attendees": role in SITTING,
        "pending_convocation": abilities["convene"]
        and seance.attendees.filter(convened_at__isnull=True).exists(),
        "attendees": list(
            seance.attendees.select_related("user__organisation").prefetch_related("items")
        )
        if role in SITTING
        else [],
        "title": seance.title,
    }
    if abilities["edit"]:
        context["add_form"] = forms.get("add") or AddItemForm(
            choices=_add_choices(request, seance, rows)
        )
        context["guest_form"] = forms.get("guest") or GuestForm(seance=seance, rows=rows)
    for row in rows:
        if row.decision is not None and row.decision.kind == DecisionKind.TRANSMIT:
            row.transmission_url = (
                transmission_url(row.item.situation_id)
                if abilities["run"] or abilities["view_minutes"]
                else None
            )
    return context


def seance_detail(request, pk):
    seance = access.get_seance(request.user, pk)
    return render(request, "meetings/seance_detail.html", _seance_context(request, seance))


def _agenda_response(request, seance):
    """The agenda fragment for htmx, the whole page otherwise."""
    if request.htmx:
        seance = access.get_seance(request.user, seance.pk)
        return render(request, "meetings/_agenda.html", _seance_context(request, seance))
    return redirect("meetings:detail", pk=seance.pk)


@require_POST
def seance_convene(request, pk):
    seance = access.get_seance(request.user, pk, ability="convene")
    try:
        services.convene_seance(seance=seance, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Convocations envoyées (notification sans aucune donnée personnelle)."
        )
    return redirect("meetings:detail", pk=seance.pk)


@require_POST
def agenda_propose(request, pk):
    seance = access.get_seance(request.user, pk, ability="edit")
    added = services.propose_agenda(seance=seance, by=request.user)
    if not request.htmx:
        messages.info(
            request,
            f"{len(added)} point(s) ajouté(s) à l'ordre du jour."
            if added
            else "Rien de nouveau à proposer.",
        )
    return _agenda_response(request, seance)


@require_POST
def agenda_add(request, pk):
    seance = access.get_seance(request.user, pk, ability="edit")
    choices = _add_choices(
        request, seance, agenda_rows(seance, request.user, seance.abilities(request.user))
    )
    form = AddItemForm(request.POST, choices=choices)
    if form.is_valid():
        situation = access.get_situation(request.user, form.cleaned_data["situation"])
        try:
            services.add_agenda_item(seance=seance, situation=situation, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _agenda_response(request, seance)
    context = _seance_context(request, seance, forms={"add": form})
    if request.htmx:
        return render(request, "meetings/_agenda.html", context)
    return render(request, "meetings/seance_detail.html", context)


@require_POST
def item_remove(request, pk):
    item = access.get_agenda_item(request.user, pk, ability="edit")
    services.remove_agenda_item(item=item, by=request.user)
    return _agenda_response(request, item.seance)


@require_POST
def item_move(request, pk):
    item = access.get_agenda_item(request.user, pk, ability="edit")
    offset = -1 if request.POST.get("sens") == "haut" else 1
    services.move_agenda_item(item=item, offset=offset, by=request.user)
    return _agenda_response(request, item.seance)


@require_POST
def guest_invite(request, pk):
    seance = access.get_seance(request.user, pk, ability="edit")
    rows = agenda_rows(seance, request.user, seance.abilities(request.user))
    form = GuestForm(request.POST, seance=seance, rows=rows)
    if form.is_valid():
        chosen = set(form.cleaned_data["items"])
        items = [row.item for row in rows if str(row.item.pk) in chosen]
        try:
            services.invite_guest(
                seance=seance, user=form.cleaned_data["guest"], items=items, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Invitation enregistrée." if items else "Invitation retirée.")
            return redirect("meetings:detail", pk=seance.pk)
    return render(
        request,
        "meetings/seance_detail.html",
        _seance_context(request, seance, forms={"guest": form}),
    )


@require_POST
def attendee_acknowledge(request, pk):
    attendee = access.get_attendee(request.user, pk, ability="acknowledge")
    services.acknowledge_confidentiality(attendee=attendee, by=request.user)
    if request.htmx:
        return _attendee_row(request, attendee)
    if attendee.user_id == request.user.pk:
        messages.success(request, "Engagement de confidentialité enregistré pour cette séance.")
        return redirect("meetings:detail", pk=attendee.seance_id)
    return redirect("meetings:room", pk=attendee.seance_id)


# --- The room -----------------------------------------------------------------------------------


def _members(seance):
    return list(seance.attendees.filter(kind=AttendeeKind.MEMBER).select_related("user"))


def _decision_form(item, members, data=None, *, request=None, kind=None):
    texts = []
    chosen = kind
    if data is not None:
        chosen = data.get(f"d{item.pk.hex[:12]}-kind", "")
    if chosen == DecisionKind.CLOSE and item.situation_id and request is not None:
        situation = access.get_situation(request.user, item.situation_id, ability="close")
        texts = case_services.free_texts(situation)
    initial = {"kind": kind} if kind else None
    return DecisionForm(data, item=item, members=members, texts=texts, initial=initial)


def _room_context(request, seance, *, forms=None):
    context = _seance_context(request, seance)
    members = _members(seance)
    forms = forms or {}
    for row in context["rows"]:
        if row.can.get("decide"):
            row.form = forms.get(row.item.pk) or _decision_form(row.item, members)
    context["attendance_rows"] = [
        {"attendee": attendee, "can": attendee.abilities(request.user)}
        for attendee in context["attendees"]
    ]
    context["title"] = f"En séance — {seance.title}"
    return context


def seance_room(request, pk):
    seance = access.get_seance(request.user, pk, ability="run")
    return render(request, "meetings/seance_room.html", _room_context(request, seance))


def _attendee_row(request, attendee):
    attendee = access.get_attendee(request.user, attendee.pk)
    return render(
        request,
        "meetings/_attendance_row.html",
        {"row": {"attendee": attendee, "can": attendee.abilities(request.user)}, "saved": True},
    )


@require_POST
def attendee_attendance(request, pk):
    attendee = access.get_attendee(request.user, pk, ability="record_attendance")
    form = AttendanceForm(request.POST)
    if form.is_valid():
        services.record_attendance(
            attendee=attendee, attendance=form.cleaned_data["attendance"], by=request.user
        )
    elif request.htmx:
        return HttpResponse(
            "Choisissez : présent, excusé ou absent.",
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    if request.htmx:
        return _attendee_row(request, attendee)
    return redirect("meetings:room", pk=attendee.seance_id)


@require_GET
def decision_fields(request, pk):
    """The fields of the decision kind just chosen (htmx), the text typed elsewhere untouched. A
    point decided meanwhile (another tab, another person) is said at once, in the words of the
    save's refusal: the two answers may come back in either order."""
    try:
        item = access.get_agenda_item(request.user, pk, ability="decide")
    except PermissionDenied:
        return _decision_refused(request, pk)
    prefix = f"d{item.pk.hex[:12]}"
    kind = request.GET.get(f"{prefix}-kind", "")
    form = _decision_form(item, _members(item.seance), request=request, kind=kind)
    return render(request, "meetings/_decision_fields.html", {"form": form})


ALREADY_DECIDED = (
    "Une décision a déjà été enregistrée pour ce point, dans un autre onglet ou par une autre "
    "personne : celle-ci n'a pas été enregistrée. Rechargez la page pour voir la décision ; votre "
    "saisie reste affichée ici jusque-là."
)
NO_LONGER_RUNNING = (
    "La séance n'est plus en cours (elle a été close, peut-être depuis un autre onglet) : cette "
    "décision n'a pas été enregistrée. Votre saisie reste affichée ici ; rechargez la page pour "
    "voir l'état de la séance."
)


def _decision_refused(request, pk):
    """A decision the room can no longer take: another tab or person was quicker. Said in words,
    with a 409 that the room's script shows next to the form (the text typed stays)."""
    item = access.get_agenda_item(request.user, pk)
    if hasattr(item, "decision"):
        message = ALREADY_DECIDED
    elif item.seance.status != SeanceStatus.PLANNED:
        message = NO_LONGER_RUNNING
    else:
        raise PermissionDenied
    if request.htmx:
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect("meetings:detail", pk=item.seance_id)


@require_POST
def item_decision(request, pk):
    try:
        item = access.get_agenda_item(request.user, pk, ability="decide")
    except PermissionDenied:
        return _decision_refused(request, pk)
    seance = item.seance
    form = _decision_form(item, _members(seance), request.POST, request=request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_decision(
                item=item,
                kind=data["kind"],
                text=data["text"],
                taken_by=data["taken_by"],
                details=form.details(),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Décision enregistrée.")
                return redirect("meetings:room", pk=seance.pk)
            seance = access.get_seance(request.user, seance.pk)
            context = _room_context(request, seance)
            row = next(r for r in context["rows"] if r.item.pk == item.pk)
            return render(
                request, "meetings/_room_item.html", {**context, "row": row, "saved": True}
            )
    context = _room_context(request, seance, forms={item.pk: form})
    if request.htmx:
        row = next(r for r in context["rows"] if r.item.pk == item.pk)
        return render(request, "meetings/_room_item.html", {**context, "row": row})
    return render(request, "meetings/seance_room.html", context)


@require_POST
def seance_close(request, pk):
    try:
        seance = access.get_seance(request.user, pk, ability="close")
    except PermissionDenied:
        seance = access.get_seance(request.user, pk)
        if seance.status == SeanceStatus.PLANNED:
            raise
        messages.info(request, "Cette séance est déjà close (peut-être depuis un autre onglet).")
        return redirect("meetings:detail", pk=seance.pk)
    try:
        services.close_seance(seance=seance, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("meetings:room", pk=seance.pk)
    messages.success(
        request, "Séance close. Le président peut maintenant valider le relevé de décisions."
    )
    return redirect("meetings:detail", pk=seance.pk)


# --- The relevé de décisions --------------------------------------------------------------------


@require_POST
def minutes_validate(request, pk):
    seance = access.get_seance(request.user, pk, ability="validate_minutes")
    try:
        services.validate_minutes(seance=seance, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Relevé de décisions validé. Les membres présents en sont avertis."
        )
    return redirect("meetings:detail", pk=seance.pk)


def minutes_pdf(request, pk):
    """One watermarked copy for its reader, journaled as an export."""
    seance = access.get_seance(request.user, pk, ability="download_minutes")
    now = timezone.now()
    pdf = render_minutes(seance, request.user, seance.abilities(request.user), now=now)
    journal_event(request.user, Action.EXPORT, target=seance, reason="relevé de décisions (PDF)")
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(seance.starts_at)
    response["Content-Disposition"] = f'attachment; filename="releve-decisions-{day:%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
