from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from cellule import access
from cellule.access.abilities import (
    EXCHANGE_FOLLOWERS,
    may_request_briefing,
    may_write_state_information,
)
from cellule.access.current import current_membership
from cellule.access.journaling import Action, journal_event
from cellule.accounts.enums import CellKind
from cellule.accounts.sessions import reauthentication_required
from cellule.core.http import add_service_errors, posted
from cellule.exchanges import services
from cellule.exchanges import snapshot as copies
from cellule.exchanges.enums import (
    ApprovalAuthority,
    LegalBasis,
    TransmissionKind,
    TransmittedField,
)
from cellule.exchanges.forms import (
    ApprovalForm,
    BriefingForm,
    FeedbackForm,
    InformationForm,
    TransmitForm,
)
from cellule.exchanges.models import Transmission
from cellule.people.crypto import CryptoError

K = TransmissionKind
PAGE_SIZE = 25


def _working_cell(request):
    """The cell the user works in, if their role there deals with the exchanges with the State."""
    membership = current_membership(request)
    if membership is None or membership.role not in EXCHANGE_FOLLOWERS:
        raise PermissionDenied("Votre habilitation ne donne accès à aucun échange avec l'État.")
    return membership


def transmission_list(request):
    """The cell's exchanges with the State: its signalements and their feedback (the inbox, for
    the préfecture), the nominative informations, the general briefings."""
    membership = _working_cell(request)
    cell = membership.cell
    base = (
        Transmission.objects.visible_to(request.user)
        .of_cell(cell.pk)
        .select_related("from_cell", "to_cell")
    )
    departmental = cell.kind == CellKind.DEPARTMENTAL
    reports = base.filter(kind=K.REPORT_TO_STATE)
    reports = reports.filter(to_cell=cell) if departmental else reports.filter(from_cell=cell)
    shown = request.GET.get("filtre", "")
    today = timezone.localdate()
    if shown == "a-traiter":
        reports = reports.filter(feedback_given_at__isnull=True)
    elif shown == "en-retard":
        reports = reports.filter(feedback_given_at__isnull=True, feedback_due_on__lt=today)
    # Waiting ones first (the most urgent first), then the answered ones, latest first.
    reports = reports.order_by(
        F("feedback_given_at").desc(nulls_first=True), "feedback_due_on", "-sent_at", "pk"
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    informations = list(
        base.filter(kind=K.STATE_INFORMATION).select_related("key").order_by("-created_at")[:50]
    )
    briefings = list(base.filter(kind=K.GENERAL_BRIEFING).order_by("-created_at")[:50])
    listed = [*page.object_list, *informations, *briefings]
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="exchanges.transmission",
        target_ids=[t.pk for t in listed],
        cell=cell,
    )
    read = {}
    if informations:
        from cellule.exchanges.models import Recipient

        read = dict(
            Recipient.objects.filter(
                user=request.user, transmission__in=[t.pk for t in informations]
            ).values_list("transmission_id", "read_at")
        )
    for information in informations:
        information.read_by_me = read.get(information.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchanges/transmission_list.html",
        {
            "cell": cell,
            "departmental": departmental,
            "page": page,
            "query": query.urlencode() + "&" if query else "",
            "shown": shown,
            "informations": informations,
            "briefings": briefings,
            "can_request_briefing": may_request_briefing(request.user, cell),
            "can_write_information": may_write_state_information(request.user, cell),
            "title": "Échanges avec la préfecture"
            if not departmental
            else "Échanges avec les communes",
        },
    )


# --- Signalement à l'État ------------------------------------------------------------------------


def _labels(fields) -> list[str]:
    """The chosen fields' labels, in the order of the form."""
    return [label for value, label in TransmittedField.choices if value in fields]


def _transmit(request, situation, *, signalement=None):
    """One form for both entry points: choose, see exactly what will be copied, confirm."""
    to_cell = services.departmental_cell_of(situation.cell)
    form = TransmitForm(posted(request))
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") == "1":
            try:
                transmission = services.transmit_situation(
                    situation=situation,
                    fields=data["fields"],
                    legal_basis=data["legal_basis"],
                    legal_basis_text=data["legal_basis_text"],
                    signalement=signalement,
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Signalement transmis à la préfecture (n° {transmission.reference}). Un retour "
                    f"d'information est attendu avant le {transmission.feedback_due_on:%d/%m/%Y}.",
                )
                return redirect("exchanges:detail", pk=transmission.pk)
        elif not request.POST.get("edit"):
            copy = copies.build(situation, data["fields"], signalement=signalement)
            preview = {
                "rows": copies.person_rows(copy),
                "reports": copies.reports(copy),
                "situation": copies.situation_of(copy),
                "measures": copy.get("measures"),
                "fields": _labels(data["fields"]),
                "legal_basis": LegalBasis(data["legal_basis"]).label,
            }
    return render(
        request,
        "exchanges/transmit.html",
        {
            "situation": situation,
            "signalement": signalement,
            "identity": situation.person.identity,
            "to_cell": to_cell,
            "form": form,
            "preview": preview,
            "title": "Transmettre à la préfecture",
        },
    )


@reauthentication_required
@require_http_methods(["GET", "POST"])
def transmit_situation(request, pk):
    """From a situation (a séance's decision, or the coordinator's): the signalement à l'État."""
    situation = access.get_situation_to_transmit(request.user, pk)
    return _transmit(request, situation)


@reauthentication_required
@require_http_methods(["GET", "POST"])
def transmit_signalement(request, pk):
    """From a signalement qualified « transmis à la préfecture »: the same form, that report's
    facts only."""
    signalement = access.get_signalement(request.user, pk)
    if not signalement.outcome_transmitted or signalement.situation_id is None:
        raise PermissionDenied("Ce signalement n'a pas été qualifié « transmis à la préfecture ».")
    situation = access.get_situation_to_transmit(request.user, signalement.situation_id)
    signalement.situation = situation
    return _transmit(request, situation, signalement=signalement)


# --- One transmission ----------------------------------------------------------------------------


def _matches(request, transmission, copy):
    """Persons the receiving cell may already know: its own records only, via blind indexes."""
    from cellule.people.duplicates import find_possible_duplicates

    identity = copies.identity_of(copy)
    if identity is None:
        return None
    candidates = find_possible_duplicates(cell=transmission.to_cell, identity=identity)
    if candidates:
        journal_event(
            request.user,
            Action.LIST_VIEWED,
            target_type="people.person",
            target_ids=[c.person.pk for c in candidates],
            cell=transmission.to_cell_id,
            reason="personnes peut-être déjà connues (transmission reçue)",
        )
    return candidates


def _detail_page(request, transmission, *, forms=None, status=200):
    abilities = transmission.abilities(request.user)
    forms = forms or {}
    copy, erased = {}, False
    if abilities["read_content"]:
        try:
            copy = transmission.snapshot
        except CryptoError:
            erased = True
    else:
        erased = transmission.is_erased or transmission.is_expired
    situation = None
    if abilities["sender_side"] and transmission.situation_id:
        from cellule.cases.models import Situation

        visible = Situation.objects.visible_to(request.user).filter(pk=transmission.situation_id)
        situation = visible.only("pk", "cell_id", "status").first()
    replies = list(
        transmission.replies.visible_to(request.user)
        .select_related("sent_by", "from_cell")
        .order_by("sent_at")
    )
    recipients = (
        list(transmission.recipients.select_related("user"))
        if transmission.kind == K.STATE_INFORMATION
        and (abilities["view_receipts"] or abilities["is_named_recipient"])
        else []
    )
    approvals = []
    if transmission.kind == K.STATE_INFORMATION:
        for authority in ApprovalAuthority:
            form = forms.get(f"approval-{authority.value}") or ApprovalForm(
                prefix=authority.value, initial={"given_on": timezone.localdate()}
            )
            approvals.append(
                {
                    "authority": authority,
                    "approval": transmission.approval(authority.value),
                    "form": form,
                }
            )
    context = {
        "transmission": transmission,
        "abilities": abilities,
        "copy": copy,
        "erased": erased,
        "rows": copies.person_rows(copy),
        "reports": copies.reports(copy),
        "situation_copy": copies.situation_of(copy),
        "measures_copy": copy.get("measures"),
        "fields": _labels(transmission.fields),
        "situation": situation,
        "replies": replies,
        "recipients": recipients,
        "approvals": approvals,
        "matches": _matches(request, transmission, copy)
        if abilities["view_matches"] and copy
        else None,
        "feedback_form": forms.get("feedback") or FeedbackForm(),
        "briefing_form": forms.get("briefing")
        or BriefingForm(initial={"held_on": timezone.localdate()}),
        "title": f"{transmission.get_kind_display()} n° {transmission.reference}",
    }
    response = render(request, "exchanges/transmission_detail.html", context, status=status)
    if transmission.confidential:
        add_never_cache_headers(response)  # no copy left in the browser's cache
    return response


def transmission_detail(request, pk):
    transmission = access.get_transmission(request.user, pk)
    if transmission.kind == K.FEEDBACK:
        return redirect("exchanges:detail", pk=transmission.reply_to_id)
    if transmission.abilities(request.user)["is_named_recipient"]:
        services.mark_read(transmission=transmission, by=request.user)
    return _detail_page(request, transmission)


@require_POST
def transmission_acknowledge(request, pk):
    transmission = access.get_transmission(request.user, pk, ability="acknowledge")
    services.acknowledge_transmission(transmission=transmission, by=request.user)
    messages.success(request, "Réception accusée : la commune le voit.")
    return redirect("exchanges:detail", pk=transmission.pk)


@require_POST
def transmission_feedback(request, pk):
    transmission = access.get_transmission(request.user, pk, ability="give_feedback")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.give_feedback(
                transmission=transmission, outcome=form.cleaned_data["outcome"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Retour d'information envoyé à la commune.")
            return redirect("exchanges:detail", pk=transmission.pk)
    return _detail_page(request, transmission, forms={"feedback": form})


# --- Information nominative du préfet au maire -------------------------------------------------


@require_http_methods(["GET", "POST"])
def information_new(request):
    membership = _working_cell(request)
    cell = membership.cell
    if not may_write_state_information(request.user, cell):
        raise PermissionDenied(
            "L'information nominative au maire est rédigée par la cellule de la préfecture."
        )
    reports = (
        Transmission.objects.visible_to(request.user)
        .filter(kind=K.REPORT_TO_STATE, to_cell=cell)
        .select_related("from_cell")
        .order_by("-sent_at")
    )
    form = InformationForm(posted(request), cell=cell, reports=reports)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transmission = services.create_state_information(
                from_cell=cell,
                to_cell=data["to_cell"],
                case=data["case"],
                content=services.InformationContent(
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                    text=data["text"],
                ),
                include_coordinator=data["include_coordinator"],
                validity_days=data["validity_days"],
                reply_to=data["reply_to"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Information enregistrée. Elle partira après l'accord des services de sécurité "
                "intérieure et du procureur de la République.",
            )
            return redirect("exchanges:detail", pk=transmission.pk)
    return render(
        request,
        "exchanges/information_new.html",
        {"cell": cell, "form": form, "title": "Informer le maire"},
    )


@require_POST
def information_approval(request, pk):
    transmission = access.get_transmission(request.user, pk, ability="record_approval")
    authority = request.POST.get("which", "")
    if authority not in ApprovalAuthority.values:
        return HttpResponseBadRequest("Autorité inconnue.")
    form = ApprovalForm(request.POST, prefix=authority)
    if form.is_valid():
        try:
            services.record_approval(
                transmission=transmission,
                authority=authority,
                given_on=form.cleaned_data["given_on"],
                reference=form.cleaned_data["reference"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Accord préalable enregistré.")
            return redirect("exchanges:detail", pk=transmission.pk)
    return _detail_page(request, transmission, forms={f"approval-{authority}": form})


@reauthentication_required
@require_POST
def information_send(request, pk):
    transmission = access.get_transmission(request.user, pk, ability="record_approval")
    try:
        services.send_state_information(transmission=transmission, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Information envoyée à ses seuls destinataires.")
    return redirect("exchanges:detail", pk=transmission.pk)


# --- Information générale sur la menace ---------------------------------------------------------


@require_POST
def briefing_request(request):
    membership = _working_cell(request)
    try:
        transmission = services.request_briefing(cell=membership.cell, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exchanges:list")
    messages.success(
        request, "Demande d'information générale sur la menace transmise à la préfecture."
    )
    return redirect("exchanges:detail", pk=transmission.pk)


@require_POST
def briefing_held(request, pk):
    transmission = access.get_transmission(request.user, pk, ability="record_briefing")
    form = BriefingForm(request.POST)
    if form.is_valid():
        try:
            services.record_briefing_held(
                transmission=transmission,
                held_on=form.cleaned_data["held_on"],
                channel=form.cleaned_data["channel"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Information générale enregistrée.")
            return redirect("exchanges:detail", pk=transmission.pk)
    return _detail_page(request, transmission, forms={"briefing": form})
