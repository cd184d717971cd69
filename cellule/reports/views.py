from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cellule import access
from cellule.access.abilities import may_file_signalement
from cellule.access.current import current_membership
from cellule.access.journaling import Action, journal_event
from cellule.core.http import add_service_errors, posted
from cellule.people.models import Person
from cellule.reports import services
from cellule.reports.enums import SignalementStatus
from cellule.reports.forms import QualificationForm, SignalementForm
from cellule.reports.models import Signalement

RECENT = 20
PAGE_SIZE = 25


def _filing_cell(request):
    membership = current_membership(request)
    if membership is None or not may_file_signalement(request.user, membership.cell):
        raise PermissionDenied(
            "Votre habilitation ne permet pas de faire un signalement dans cette cellule."
        )
    return membership.cell


@require_http_methods(["GET", "POST"])
def signalement_new(request):
    cell = _filing_cell(request)
    form = SignalementForm(posted(request), cell=cell)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signalement = services.file_signalement(
                cell=cell,
                identity=form.identity,
                commune=data["commune"],
                legal_representatives=form.representatives,
                observed_on=data["observed_on"],
                source_category=data["source_category"],
                indicators=form.observed_indicators(),
                text=data["text"],
                urgent=data["urgent"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Signalement n° {signalement.reference} reçu. Le coordonnateur de la cellule va "
                "l'examiner. Merci pour votre vigilance.",
            )
            return redirect("reports:mine")
    context = {"form": form, "cell": cell, "title": "Fiche de signalement"}
    return render(request, "reports/signalement_new.html", context)


def signalement_mine(request):
    """« Mes signalements »: what the reporter filed, with a minimal status and nothing else."""
    filed = list(
        Signalement.objects.filed_by(request.user)
        .select_related("cell")
        .order_by("-created_at")[:200]
    )
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="reports.signalement",
        target_ids=[s.pk for s in filed],
    )
    return render(
        request,
        "reports/signalement_mine.html",
        {"signalements": filed, "title": "Mes signalements"},
    )


def _queue_cell(request):
    membership = current_membership(request)
    # The membership's own cell: no fetch (and no extra journal event) needed to check the role.
    if membership is None or not membership.cell.abilities(request.user)["qualify"]:
        raise PermissionDenied(
            "La qualification des signalements revient au coordonnateur et au président de la cellule."
        )
    return membership.cell


def _queue_rows(signalements):
    """Each report with only the names the row shows: two fields unsealed, not the identity."""
    return [{"signalement": s, **s.person.names()} for s in signalements]


def signalement_queue(request):
    cell = _queue_cell(request)
    base = Signalement.objects.visible_to(request.user).filter(cell=cell)
    page = Paginator(base.select_related("person__key").to_qualify(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    pending = list(page.object_list)
    recent = list(
        base.filter(status=SignalementStatus.QUALIFIED).order_by("-qualified_at")[:RECENT]
    )
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="reports.signalement",
        target_ids=[s.pk for s in [*pending, *recent]],
        cell=cell,
    )
    context = {
        "cell": cell,
        "page": page,
        "rows": _queue_rows(pending),
        "recent": recent,
        "title": "Signalements à qualifier",
    }
    return render(request, "reports/signalement_queue.html", context)


def _detail(request, signalement, form):
    abilities = signalement.abilities(request.user)
    candidates = services.possible_duplicates(signalement) if abilities["check_person"] else []
    if candidates:
        journal_event(
            request.user,
            Action.LIST_VIEWED,
            target_type="people.person",
            target_ids=[c.person.pk for c in candidates],
            cell=signalement.cell_id,
            reason="personnes peut-être déjà connues",
        )
    context = {
        "signalement": signalement,
        "abilities": abilities,
        "candidates": candidates,
        "indicators": signalement.indicators.select_related("indicator"),
        "form": form,
        "title": f"Signalement n° {signalement.reference}",
    }
    return render(request, "reports/signalement_detail.html", context)


def signalement_detail(request, pk):
    return _detail(request, access.get_signalement(request.user, pk), QualificationForm())


@require_POST
def signalement_check_person(request, pk):
    signalement = access.get_signalement(request.user, pk, ability="check_person")
    try:
        if request.POST.get("decision") == "new":
            services.confirm_new_person(signalement=signalement, by=request.user)
            messages.success(
                request, "Personne nouvelle confirmée : vous pouvez qualifier le signalement."
            )
        else:
            person = get_object_or_404(
                Person.objects.visible_to(request.user).with_keys(),
                pk=request.POST.get("person", ""),
                cell=signalement.cell,
            )
            services.attach_to_person(signalement=signalement, person=person, by=request.user)
            messages.success(
                request,
                "Signalement rattaché à la personne déjà connue ; la fiche créée à la réception est effacée.",
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:detail", pk=signalement.pk)


@require_http_methods(["POST"])
def signalement_qualify(request, pk):
    signalement = access.get_signalement(request.user, pk, ability="qualify")
    form = QualificationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        decision = services.Qualification(
            closed=data["close"],
            closure_reason=data["closure_reason"],
            redirected=data["redirect"],
            redirect_service=data["redirect_service"],
            agenda=data["agenda"],
            transmitted=data["transmit"],
            reason=data["reason"],
        )
        try:
            services.qualify_signalement(
                signalement=signalement, decision=decision, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Signalement n° {signalement.reference} qualifié.")
            return redirect("reports:queue")
    return _detail(request, signalement, form)
