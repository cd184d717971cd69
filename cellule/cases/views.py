from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cellule import access
from cellule.access.abilities import convened_situation_ids
from cellule.access.current import current_membership
from cellule.access.journaling import Action, journal_event
from cellule.access.roles import CELL_WIDE, SITTING
from cellule.accounts.models import User
from cellule.cases import services
from cellule.cases.enums import SituationStatus
from cellule.cases.forms import (
    ArchiveAccessForm,
    CloseForm,
    ConsentForm,
    MeasureForm,
    MeasureProgressForm,
    NoteForm,
    ReferentForm,
    ReviewForm,
    SearchForm,
    TransitionForm,
)
from cellule.cases.models import Note, Situation
from cellule.cases.timeline import timeline
from cellule.core.http import add_service_errors, posted
from cellule.journal.models import AuditEvent
from cellule.people.identity import Identity
from cellule.people.matching import search_indexes

PAGE_SIZE = 25


def _cell_and_role(request):
    """The cell the user works in, if their role there may follow situations."""
    membership = current_membership(request)
    if membership is None or membership.role not in SITTING:
        raise PermissionDenied("Votre habilitation ne donne accès à aucune situation.")
    return membership.cell, membership.role


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _rows(request, situations, role):
    """Rows of a list, the two names decrypted (not the identity), and the page each leads to
    (full or provider's view)."""
    user = request.user
    rows = []
    for situation in situations:
        # A member convened to a séance with the situation on its agenda reads the full page.
        full = (
            role in CELL_WIDE
            or situation.referent_id == user.pk
            or situation.pk in convened_situation_ids(user)
        )
        rows.append(
            {
                "situation": situation,
                "names": situation.person.names(),
                "url_name": "cases:detail" if full else "cases:provider",
            }
        )
    return rows


def _list_page(
    request, queryset, *, cell, role, title, template="cases/situation_list.html", extra=None
):
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    situations = list(page.object_list)
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="cases.situation",
        target_ids=[s.pk for s in situations],
        cell=cell,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cell": cell,
        "page": page,
        "query": query.urlencode() + "&" if query else "",
        "rows": _rows(request, situations, role),
        "title": title,
        "cell_wide": role in CELL_WIDE,
        **(extra or {}),
    }
    return render(request, template, context)


def _base(request, cell):
    return (
        Situation.objects.visible_to(request.user)
        .filter(cell=cell)
        .select_related("person__key", "referent")
    )


def situation_list(request):
    cell, role = _cell_and_role(request)
    queryset = _base(request, cell).current()
    status = request.GET.get("etat", "")
    if status in SituationStatus.values and status != SituationStatus.ARCHIVED:
        queryset = queryset.filter(status=status)
    referent = request.GET.get("referent", "")
    if referent == "moi":
        queryset = queryset.filter(referent=request.user)
    elif referent == "aucun":
        queryset = queryset.filter(referent__isnull=True)
    order = request.GET.get("tri", "")
    queryset = (
        queryset.order_by("next_review_on", "pk")
        if order == "revue"
        else queryset.order_by("-opened_at", "pk")
    )
    statuses = [(s.value, s.label) for s in SituationStatus if s != SituationStatus.ARCHIVED]
    return _list_page(
        request,
        queryset,
        cell=cell,
        role=role,
        title="Situations",
        extra={"statuses": statuses, "status": status, "referent": referent, "order": order},
    )


def situation_to_review(request):
    cell, role = _cell_and_role(request)
    return _list_page(
        request,
        _base(request, cell).to_review(),
        cell=cell,
        role=role,
        title="Situations à revoir",
        extra={"review_list": True, "today": timezone.localdate()},
    )


def situation_archive(request):
    """The intermediate archive: references and dates only; a name only after a stated reason."""
    cell, role = _cell_and_role(request)
    if role not in CELL_WIDE:
        raise PermissionDenied(
            "Les archives ne sont accessibles qu'au président et au coordonnateur."
        )
    queryset = (
        Situation.objects.visible_to(request.user)
        .filter(cell=cell, status=SituationStatus.ARCHIVED)
        .order_by("-archived_at", "pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/situation_archive.html",
        {"cell": cell, "page": page, "title": "Situations archivées"},
    )


def situation_search(request):
    """Search by person through the blind indexes (exact name and date, phonetic name and
    compatible year): the table is never decrypted, only the matches."""
    cell, role = _cell_and_role(request)
    form = SearchForm(request.GET or None)
    rows = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        identity = Identity(
            last_name=data["last_name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
        )
        wanted = search_indexes(cell.pk, identity, today=timezone.localdate())
        match = Q(person__index_name_year__in=wanted.get("index_name_year", []))
        if "index_name_birth" in wanted:
            match |= Q(person__index_name_birth__in=wanted["index_name_birth"])
        found = list(_base(request, cell).current().filter(match).order_by("-opened_at")[:50])
        journal_event(
            request.user,
            Action.LIST_VIEWED,
            target_type="cases.situation",
            target_ids=[s.pk for s in found],
            cell=cell,
            reason="recherche par nom",
        )
        rows = _rows(request, found, role)
    return render(
        request,
        "cases/situation_search.html",
        {"cell": cell, "form": form, "rows": rows, "title": "Rechercher une situation"},
    )


def _consultations(situation, measures) -> list[dict]:
    """Who read or changed this situation or its ``measures``, when, why: from the journal,
    names in one query."""
    measure_ids = [str(measure.pk) for measure in measures]
    events = list(
        AuditEvent.objects.filter(
            Q(target_type="cases.situation", target_id=str(situation.pk))
            | Q(target_type="cases.measure", target_id__in=measure_ids)
        ).order_by("-seq")[:100]
    )
    names = User.objects.in_bulk({e.actor_id for e in events if e.actor_id})
    return [
        {
            "event": event,
            "who": names[event.actor_id].get_full_name() if event.actor_id in names else "Cellule",
        }
        for event in events
    ]


def _situation_page(request, situation, *, status=200, forms=None):
    abilities = situation.abilities(request.user)
    forms = forms or {}
    # Read once for the page, its timeline and its consultations.
    measures = list(situation.measures.select_related("provider", "referent", "created_by"))
    reports = (
        list(situation.origin_reports.select_related("qualified_by"))
        if abilities["view_reports"]
        else []
    )
    context = {
        "situation": situation,
        "identity": situation.person.identity,
        "abilities": abilities,
        "timeline": timeline(
            situation,
            with_reports=abilities["view_reports"],
            reader=request.user,
            abilities=abilities,
            measures=measures,
            reports=reports,
        ),
        "measures": measures,
        "reports": reports,
        "consultations": (
            _consultations(situation, measures) if abilities["view_consultations"] else []
        ),
        "transition_form": forms.get("transition") or TransitionForm(situation=situation),
        "referent_form": forms.get("referent")
        or ReferentForm(situation=situation, initial={"referent": situation.referent_id}),
        "review_form": forms.get("review") or ReviewForm(),
        "note_form": forms.get("note") or NoteForm(),
        "consent_form": ConsentForm(initial={"answered_on": timezone.localdate()}),
        "progress_form": MeasureProgressForm(initial={"on": timezone.localdate()}),
        "title": f"Situation n° {situation.reference}",
    }
    return render(request, "cases/situation_detail.html", context, status=status)


def situation_detail(request, pk):
    if (
        Situation.objects.visible_to(request.user)
        .filter(pk=pk, status=SituationStatus.ARCHIVED)
        .exists()
    ):
        return redirect("cases:archived", pk=pk)
    situation = access.get_situation(request.user, pk)
    return _situation_page(request, situation)


@require_http_methods(["GET", "POST"])
def situation_archived(request, pk):
    """An archived situation: the president or coordinator states why, then reads it once."""
    situation = get_object_or_404(
        Situation.objects.visible_to(request.user).filter(status=SituationStatus.ARCHIVED), pk=pk
    )
    form = ArchiveAccessForm(posted(request))
    if request.method == "POST" and form.is_valid():
        situation = access.get_situation(
            request.user, pk, ability="view_archived", reason=form.cleaned_data["reason"]
        )
        return _situation_page(request, situation)
    if not situation.abilities(request.user)["view_archived"]:
        raise PermissionDenied
    return render(
        request,
        "cases/situation_archived.html",
        {
            "situation": situation,
            "form": form,
            "title": f"Situation archivée n° {situation.reference}",
        },
    )


def situation_provider(request, pk):
    """The provider's restricted view: their organisation's measures, the person's name and
    contact, the référent. No report, no note, no review."""
    situation = access.get_situation(request.user, pk, ability="view_provider")
    measures = list(
        situation.measures.filter(provider_id=request.user.organisation_id)
        .exclude(status="refused")
        .select_related("provider", "referent")
    )
    for measure in measures:
        measure.situation = situation
        measure.can = measure.abilities(request.user)
    return render(
        request,
        "cases/situation_provider.html",
        {
            "situation": situation,
            "identity": situation.person.identity,
            "measures": measures,
            "progress_form": MeasureProgressForm(initial={"on": timezone.localdate()}),
            "title": f"Mesure d'accompagnement — situation n° {situation.reference}",
        },
    )


@require_POST
def situation_transition(request, pk):
    situation = access.get_situation(request.user, pk, ability="transition")
    form = TransitionForm(request.POST, situation=situation)
    if form.is_valid():
        try:
            services.transition_situation(
                situation=situation,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "État de la situation modifié.")
            return redirect("cases:detail", pk=situation.pk)
    return _situation_page(request, situation, forms={"transition": form})


@require_POST
def situation_referent(request, pk):
    situation = access.get_situation(request.user, pk, ability="assign_referent")
    form = ReferentForm(request.POST, situation=situation)
    if form.is_valid():
        try:
            services.assign_referent(
                situation=situation, referent=form.cleaned_data["referent"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Référent de parcours enregistré.")
            return redirect("cases:detail", pk=situation.pk)
    return _situation_page(request, situation, forms={"referent": form})


@require_POST
def situation_review(request, pk):
    situation = access.get_situation(request.user, pk, ability="review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.record_review(
                situation=situation,
                changes=form.cleaned_data["changes"],
                next_review_on=form.cleaned_data["next_review_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Revue enregistrée.")
            return redirect("cases:detail", pk=situation.pk)
    return _situation_page(request, situation, forms={"review": form})


@require_POST
def note_new(request, pk):
    situation = access.get_situation(request.user, pk, ability="add_note")
    form = NoteForm(request.POST)
    annotates = None
    if request.POST.get("annotates"):
        annotates = get_object_or_404(Note, pk=request.POST["annotates"], situation=situation)
    if form.is_valid():
        try:
            services.add_note(
                situation=situation,
                text=form.cleaned_data["text"],
                annotates=annotates,
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Annotation enregistrée." if annotates else "Note enregistrée."
            )
            return redirect("cases:detail", pk=situation.pk)
    return _situation_page(request, situation, forms={"note": form})


@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    note = get_object_or_404(
        Note.objects.filter(situation__in=Situation.objects.visible_to(request.user)), pk=pk
    )
    situation = access.get_situation(request.user, note.situation_id, ability="add_note")
    note.situation = situation
    if not note.is_editable_by(request.user):
        raise PermissionDenied(
            "Une note n'est modifiable que par son auteur, pendant 24 heures ; ajoutez une annotation."
        )
    form = NoteForm(
        posted(request), initial={"text": note.unseal(situation.person.cipher())["text"]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_note(note=note, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Note modifiée.")
            return redirect("cases:detail", pk=situation.pk)
    return render(
        request,
        "cases/note_edit.html",
        {"situation": situation, "note": note, "form": form, "title": "Modifier la note"},
    )


@require_http_methods(["GET", "POST"])
def measure_new(request, pk):
    situation = access.get_situation(request.user, pk, ability="manage_measures")
    form = MeasureForm(posted(request), situation=situation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.propose_measure(
                situation=situation,
                kind=data["kind"],
                provider=data["provider"],
                referent=data["referent"],
                proposed_on=data["proposed_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Mesure proposée. Enregistrez la réponse de la personne dès qu'elle est connue.",
            )
            return redirect("cases:detail", pk=situation.pk)
    return render(
        request,
        "cases/measure_new.html",
        {"situation": situation, "form": form, "title": "Proposer une mesure"},
    )


def _measure_redirect(request, measure):
    if measure.situation.abilities(request.user)["view"]:
        return redirect("cases:detail", pk=measure.situation_id)
    return redirect("cases:provider", pk=measure.situation_id)


@require_POST
def measure_consent(request, pk):
    measure = access.get_measure(request.user, pk, ability="record_consent")
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _measure_redirect(request, measure)
    data = form.cleaned_data
    try:
        services.record_consent(
            measure=measure,
            accepted=data["answer"] == "accepted",
            answered_on=data["answered_on"],
            parental_consent_on=data["parental_consent_on"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Réponse de la personne enregistrée.")
    return _measure_redirect(request, measure)


@require_POST
def measure_progress(request, pk):
    measure = access.get_measure(request.user, pk, ability="change_status")
    form = MeasureProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _measure_redirect(request, measure)
    data = form.cleaned_data
    try:
        if data["step"] == "start":
            services.start_measure(measure=measure, started_on=data["on"], by=request.user)
        else:
            services.end_measure(
                measure=measure, ended_on=data["on"], outcome=data["outcome"], by=request.user
            )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Mesure mise à jour.")
    return _measure_redirect(request, measure)


@require_http_methods(["GET", "POST"])
def situation_close(request, pk):
    situation = access.get_situation(request.user, pk, ability="close")
    texts = services.free_texts(situation)
    form = CloseForm(posted(request), texts=texts)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_situation(
                situation=situation,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                reviews=form.reviews(),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Situation clôturée. Elle sera archivée à l'issue du délai d'archivage."
            )
            return redirect("cases:detail", pk=situation.pk)
    return render(
        request,
        "cases/situation_close.html",
        {
            "situation": situation,
            "form": form,
            "title": f"Clôturer la situation n° {situation.reference}",
        },
    )
