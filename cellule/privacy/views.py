"""The RGPD pages: delays, what is due, legal holds, certificates, rights requests, register,
DPIA and information notices.

Who sees what (``access.abilities.for_privacy``): the DPO of the cells' controller watches every
page of those cells and handles rights requests with the coordinator; the president and the
coordinator see their cell's pages; the coordinator alone sets delays, places holds and changes
the file. The DPO chooses the cell with ``?cellule=``; the others work in their current cell.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cellule import access
from cellule.access import abilities as access_abilities
from cellule.access.current import current_membership
from cellule.access.journaling import Action, journal_event
from cellule.accounts.models import Cell
from cellule.accounts.sessions import reauthentication_required
from cellule.core.http import add_service_errors, posted
from cellule.people.identity import Identity
from cellule.privacy import purge, register, rules, services
from cellule.privacy.forms import (
    AnswerForm,
    EraseForm,
    HoldForm,
    LinkPersonForm,
    RectificationNoteForm,
    RectifyForm,
    RequestForm,
    RetentionForm,
    ReviewForm,
    StepForm,
)
from cellule.privacy.models import LegalHold, PurgeCertificate, PurgeLine, RightsRequest
from cellule.privacy.pdf import pdf_response, render_pdf

PAGE_SIZE = 25
# How far ahead the list of what the purge will destroy may look (a hold can be placed ahead).
UPCOMING_WINDOWS = {"30": "30 jours", "90": "3 mois", "365": "1 an", "1095": "3 ans"}
REFUSED = "Ces pages sont réservées au délégué à la protection des données, au président et au "
REFUSED += "coordonnateur de la cellule."


def _cell_for(request, ability: str = "view"):
    """(cell, the cells the user may switch between, abilities) for the privacy pages."""
    user = request.user
    if user.is_dpo:
        cells = list(Cell.objects.visible_to(user).order_by("name"))
        wanted = request.GET.get("cellule", "")
        cell = next((c for c in cells if str(c.pk) == wanted), cells[0] if cells else None)
    else:
        membership = current_membership(request)
        cell = membership.cell if membership else None
        cells = [cell] if cell else []
    if cell is None:
        raise PermissionDenied(REFUSED)
    can = access_abilities.for_privacy(cell, user)
    if not can.get(ability, False):
        raise PermissionDenied(REFUSED)
    return cell, cells, can


def _context(request, cell, cells, can, **extra):
    return {
        "cell": cell,
        "cells": cells,
        "can": can,
        "cell_query": f"?cellule={cell.pk}" if request.user.is_dpo else "",
        **extra,
    }


@require_GET
def index(request):
    cell, cells, can = _cell_for(request)
    return render(
        request,
        "privacy/index.html",
        _context(request, cell, cells, can, title="Protection des données"),
    )


# --- Delays ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def retention(request):
    cell, cells, can = _cell_for(request)
    chosen = {
        rule: days for (cell_id, rule), days in purge.settings_map().items() if cell_id == cell.pk
    }
    form = RetentionForm(posted(request), current=chosen)
    if request.method == "POST":
        if not can["edit_retention"]:
            raise PermissionDenied("Seul le coordonnateur règle les durées de conservation.")
        if form.is_valid():
            try:
                for rule in rules.configurable_rules():
                    days = form.cleaned_data[rule.code]
                    if days != chosen.get(rule.code, rule.default_days):
                        services.set_retention(
                            cell=cell, rule=rule.code, days=days, by=request.user
                        )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Durées de conservation enregistrées.")
                return redirect("privacy:retention")
    return render(
        request,
        "privacy/retention.html",
        _context(
            request,
            cell,
            cells,
            can,
            form=form,
            rows=register.retention_rows(cell),
            title="Durées de conservation",
        ),
    )


@require_GET
def upcoming(request):
    """What the purge will destroy in the next 30 days (and what a hold keeps): references."""
    cell, cells, can = _cell_for(request, "view_upcoming")
    window = request.GET.get("jours", "")
    window = int(window) if window in UPCOMING_WINDOWS else rules.WARNING_DAYS
    rows = purge.upcoming(cell_id=cell.pk, window_days=window)
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="privacy.upcoming",
        target_ids=[row["pk"] for row in rows],
        cell=cell,
    )
    return render(
        request,
        "privacy/upcoming.html",
        _context(
            request,
            cell,
            cells,
            can,
            rows=rows,
            window=window,
            windows=[(int(days), label) for days, label in UPCOMING_WINDOWS.items()],
            title="Échéances de conservation",
        ),
    )


# --- Legal holds --------------------------------------------------------------------------------


@require_GET
def hold_list(request):
    cell, cells, can = _cell_for(request)
    holds = (
        LegalHold.objects.visible_to(request.user)
        .filter(cell=cell)
        .select_related(
            "cell__organisation",
            "placed_by",
            "lifted_by",
            "situation__person__key",
            "signalement__person__key",
        )
        .order_by("lifted_at", "-placed_at")
    )
    page = Paginator(holds, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for hold in page.object_list:
        hold_can = hold.abilities(request.user)
        rows.append(
            {
                "hold": hold,
                "can": hold_can,
                "detail": hold.detail if hold_can["view_detail"] else "",
            }
        )
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="privacy.legalhold",
        target_ids=[row["hold"].pk for row in rows],
        cell=cell,
    )
    return render(
        request,
        "privacy/hold_list.html",
        _context(request, cell, cells, can, page=page, rows=rows, title="Gels juridiques"),
    )


def _hold_target(request, kind, pk):
    from cellule.cases.models import Situation
    from cellule.reports.models import Signalement

    if kind == "situation":
        queryset = Situation.objects.visible_to(request.user)
    elif kind == "signalement":
        queryset = Signalement.objects.visible_to(request.user)
    else:
        raise PermissionDenied("Seuls une situation ou un signalement peuvent être gelés.")
    target = get_object_or_404(queryset.select_related("cell", "person__key"), pk=pk)
    if not access_abilities.for_privacy(target.cell, request.user)["place_hold"]:
        raise PermissionDenied("Seul le coordonnateur de la cellule pose un gel juridique.")
    return target


@require_http_methods(["GET", "POST"])
def hold_new(request, kind, pk):
    target = _hold_target(request, kind, pk)
    form = HoldForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.place_hold(
                **{kind: target},
                ground=form.cleaned_data["ground"],
                detail=form.cleaned_data["detail"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Gel juridique posé : le dossier ne sera pas purgé tant qu'il dure."
            )
            return redirect("privacy:holds")
    label = f"{'Situation' if kind == 'situation' else 'Signalement'} n° {target.reference}"
    return render(
        request,
        "privacy/hold_new.html",
        {"form": form, "target_label": label, "title": f"Geler la conservation — {label}"},
    )


@require_POST
def hold_lift(request, pk):
    hold = access.get_legal_hold(request.user, pk, ability="lift")
    try:
        services.lift_hold(hold=hold, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Gel levé : {hold.target_label} suit de nouveau sa règle.")
    return redirect("privacy:holds")


# --- Certificates -------------------------------------------------------------------------------


def _visible_lines(request, certificate, cells):
    cell_ids = [cell.pk for cell in cells]
    return [
        line
        for line in certificate.lines.select_related("cell")
        if line.cell_id in cell_ids or line.cell_id is None
    ]


def _certificate_cells(request):
    user = request.user
    if user.is_dpo:
        return list(Cell.objects.visible_to(user).order_by("name"))
    from cellule.access.roles import CELL_WIDE, roles_by_cell

    ids = [cell_id for cell_id, role in roles_by_cell(user).items() if role in CELL_WIDE]
    if not ids:
        raise PermissionDenied(REFUSED)
    return list(Cell.objects.filter(pk__in=ids).order_by("name"))


@require_GET
def certificate_list(request):
    cells = _certificate_cells(request)
    certificates = PurgeCertificate.objects.visible_to(request.user).order_by("-started_at")
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    cell_ids = [cell.pk for cell in cells]
    lines = PurgeLine.objects.filter(certificate__in=list(page.object_list), cell_id__in=cell_ids)
    totals = {}
    for line in lines:
        deleted, held = totals.get(line.certificate_id, (0, 0))
        totals[line.certificate_id] = (deleted + line.deleted, held + line.held)
    rows = [(c, *totals.get(c.pk, (0, 0))) for c in page.object_list]
    return render(
        request,
        "privacy/certificate_list.html",
        {"page": page, "rows": rows, "cells": cells, "title": "Certificats de purge"},
    )


def _certificate_context(request, pk):
    certificate = access.get_purge_certificate(request.user, pk)
    cells = _certificate_cells(request)
    lines = _visible_lines(request, certificate, cells)
    tables = {}
    for line in lines:
        for label, count in line.tables.items():
            tables[label] = tables.get(label, 0) + count
    return {
        "certificate": certificate,
        "lines": lines,
        "cells": cells,
        "tables": sorted(tables.items()),
        "rules": list(rules.RULES.values()),
        "title": f"Certificat de purge n° {certificate.reference}",
    }


@require_GET
def certificate_detail(request, pk):
    return render(request, "privacy/certificate_detail.html", _certificate_context(request, pk))


@require_GET
def certificate_pdf(request, pk):
    context = _certificate_context(request, pk)
    journal_event(
        request.user,
        Action.PRINT,
        target=context["certificate"],
        reason="certificat de purge (PDF)",
    )
    content = render_pdf("privacy/pdf/certificate.html", context)
    return pdf_response(content, f"certificat-de-purge-{context['certificate'].reference}")


# --- Rights requests ----------------------------------------------------------------------------


@require_GET
def request_list(request):
    cell, cells, can = _cell_for(request, "handle_requests")
    requests = (
        RightsRequest.objects.visible_to(request.user)
        .filter(cell=cell)
        .order_by("answered_on", "deadline", "created_at")
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="privacy.rightsrequest",
        target_ids=[r.pk for r in rows],
        cell=cell,
    )
    return render(
        request,
        "privacy/request_list.html",
        _context(
            request,
            cell,
            cells,
            can,
            page=page,
            rows=rows,
            today=timezone.localdate(),
            title="Demandes d'exercice des droits",
        ),
    )


@require_http_methods(["GET", "POST"])
def request_new(request):
    cell, cells, can = _cell_for(request, "handle_requests")
    form = RequestForm(posted(request), initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.record_request(cell=cell, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Demande enregistrée : réponse due le {created.deadline:%d/%m/%Y}. Recherchez "
                "maintenant la personne dans le fichier.",
            )
            return redirect("privacy:request_detail", pk=created.pk)
    return render(
        request,
        "privacy/request_new.html",
        _context(request, cell, cells, can, form=form, title="Enregistrer une demande"),
    )


def _request_page(request, rights_request, *, forms=None, status=200):
    can = rights_request.abilities(request.user)
    forms = forms or {}
    steps = list(rights_request.steps.select_related("by"))
    cipher = rights_request.cipher()
    for step in steps:
        step.comment = step.unseal(cipher)["comment"]
    export = rights_request.exports.select_related("generated_by", "reviewed_by").first()
    preview = None
    if export is not None and rights_request.person_id and can["review_export"]:
        preview = export.data()
    person = rights_request.person
    context = {
        "rr": rights_request,
        "requester": rights_request.requester,
        "can": can,
        "steps": steps,
        "export": export,
        "preview": preview,
        "identity": person.identity if person is not None else None,
        "review_form": forms.get("review") or ReviewForm(),
        "step_form": forms.get("step") or StepForm(),
        "answer_form": forms.get("answer") or AnswerForm(),
        "erase_form": forms.get("erase") or EraseForm(),
        "rectification_form": forms.get("rectification") or RectificationNoteForm(),
        "situations": list(person.situations.all()) if person is not None else [],
        "title": f"Demande n° {rights_request.reference}",
    }
    return render(request, "privacy/request_detail.html", context, status=status)


@require_GET
def request_detail(request, pk):
    rights_request = access.get_rights_request(request.user, pk)
    return _request_page(request, rights_request)


@require_http_methods(["GET", "POST"])
def request_person(request, pk):
    """The persons of the file who may be the requester (blind indexes), and the choice."""
    rights_request = access.get_rights_request(request.user, pk, ability="search_person")
    candidates = services.possible_persons(rights_request)
    journal_event(
        request.user,
        Action.LIST_VIEWED,
        target_type="people.person",
        target_ids=[c.person.pk for c in candidates],
        cell=rights_request.cell_id,
        reason=f"recherche pour la demande {rights_request.reference}",
    )
    form = LinkPersonForm(posted(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["person"]
        person = next((c.person for c in candidates if str(c.person.pk) == chosen), None)
        try:
            services.link_person(request=rights_request, person=person, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Personne retrouvée et liée à la demande."
                if person
                else "Enregistré : aucune donnée n'est détenue sur le demandeur.",
            )
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return render(
        request,
        "privacy/request_person.html",
        {
            "rr": rights_request,
            "requester": rights_request.requester,
            "form": form,
            "candidates": candidates,
            "title": f"Rechercher la personne — demande n° {rights_request.reference}",
        },
    )


@require_POST
def request_export(request, pk):
    rights_request = access.get_rights_request(request.user, pk, ability="prepare_export")
    services.prepare_export(request=rights_request, by=request.user)
    messages.success(
        request,
        "Export préparé. Il doit être relu par une autre personne (DPO ou coordonnateur) avant "
        "d'être remis.",
    )
    return redirect("privacy:request_detail", pk=rights_request.pk)


@require_POST
def request_review(request, pk):
    rights_request = access.get_rights_request(request.user, pk, ability="review_export")
    export = rights_request.exports.first()
    form = ReviewForm(request.POST)
    if export is None:
        messages.error(request, "Aucun export à relire : préparez-le d'abord.")
        return redirect("privacy:request_detail", pk=rights_request.pk)
    if form.is_valid():
        try:
            services.review_export(
                export=export, comment=form.cleaned_data["comment"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Export relu et validé : il peut être remis.")
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return _request_page(request, rights_request, forms={"review": form}, status=400)


def _released(request, pk, fmt):
    rights_request = access.get_rights_request(request.user, pk, ability="download_export")
    try:
        export = services.release_export(request=rights_request, by=request.user, fmt=fmt)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    return rights_request, export


@require_GET
@reauthentication_required
def request_export_json(request, pk):
    rights_request, export = _released(request, pk, "JSON")
    content = json.dumps(export.data(), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="donnees-demande-{rights_request.reference}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@reauthentication_required
def request_export_pdf(request, pk):
    rights_request, export = _released(request, pk, "PDF")
    content = render_pdf(
        "privacy/pdf/export.html", {"rr": rights_request, "data": export.data(), "export": export}
    )
    return pdf_response(content, f"donnees-demande-{rights_request.reference}")


@require_http_methods(["GET", "POST"])
def request_rectify(request, pk):
    """Rectification of the identity, through the people service; other data are rectified on
    the file's own screens, and recorded here."""
    rights_request = access.get_rights_request(request.user, pk, ability="rectify")
    identity = rights_request.person.identity
    form = RectifyForm(
        posted(request),
        initial={
            "last_name": identity.last_name,
            "first_name": identity.first_name,
            "birth_date": identity.birth_date,
            "approximate_age": identity.approximate_age,
            "address": identity.address,
            "phone": identity.phone,
        },
    )
    note_form = RectificationNoteForm(request.POST if request.POST.get("step") == "note" else None)
    if request.method == "POST" and request.POST.get("step") == "note":
        if note_form.is_valid():
            services.record_rectification(
                request=rights_request, comment=note_form.cleaned_data["comment"], by=request.user
            )
            messages.success(request, "Rectification enregistrée dans la demande.")
            return redirect("privacy:request_detail", pk=rights_request.pk)
        form = RectifyForm(initial=form.initial)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rectify_identity(
                request=rights_request,
                identity=Identity(
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                    approximate_age=data["approximate_age"],
                    address=data["address"],
                    phone=data["phone"],
                ),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Identité rectifiée.")
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return render(
        request,
        "privacy/request_rectify.html",
        {
            "rr": rights_request,
            "form": form,
            "note_form": note_form,
            "situations": list(rights_request.person.situations.all()),
            "title": f"Rectification — demande n° {rights_request.reference}",
        },
    )


@require_POST
@reauthentication_required
def request_erase(request, pk):
    rights_request = access.get_rights_request(request.user, pk, ability="erase")
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            services.erase_person_records(
                request=rights_request, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Données effacées : la clé de la personne est détruite et ses dossiers supprimés. "
                "Un certificat le prouve.",
            )
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return _request_page(request, rights_request, forms={"erase": form}, status=400)


@require_POST
def request_hold(request, pk):
    rights_request = access.get_rights_request(request.user, pk, ability="hold")
    holds = services.hold_for_restriction(request=rights_request, by=request.user)
    messages.success(request, f"{len(holds)} dossier(s) gelé(s) le temps de la limitation.")
    return redirect("privacy:request_detail", pk=rights_request.pk)


@require_POST
def request_step(request, pk):
    rights_request = access.get_rights_request(request.user, pk, ability="note")
    form = StepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "extend":
                services.extend_deadline(
                    request=rights_request, reason=data["comment"], by=request.user
                )
            else:
                services.add_request_note(
                    request=rights_request, text=data["comment"], by=request.user
                )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Étape enregistrée.")
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return _request_page(request, rights_request, forms={"step": form}, status=400)


@require_POST
def request_answer(request, pk):
    rights_request = access.get_rights_request(request.user, pk, ability="answer")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_request(
                request=rights_request,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Réponse enregistrée : la demande est close.")
            return redirect("privacy:request_detail", pk=rights_request.pk)
    return _request_page(request, rights_request, forms={"answer": form}, status=400)


# --- Register, DPIA, information notices --------------------------------------------------------


def _register_context(request, title):
    cell, cells, can = _cell_for(request)
    return _context(
        request,
        cell,
        cells,
        can,
        entry=register.entry(cell.organisation),
        risks=register.risks(),
        title=title,
    )


@require_GET
def register_page(request):
    return render(
        request,
        "privacy/register.html",
        _register_context(request, "Registre des activités de traitement"),
    )


@require_GET
def register_pdf(request):
    context = _register_context(request, "Registre des activités de traitement")
    journal_event(
        request.user,
        Action.EXPORT,
        target_type="privacy.register",
        cell=context["cell"],
        reason="registre des activités de traitement (PDF)",
    )
    content = render_pdf("privacy/pdf/register.html", context)
    return pdf_response(content, f"registre-{context['cell'].organisation.name}")


@require_GET
def dpia(request):
    return render(
        request,
        "privacy/dpia.html",
        _register_context(request, "Analyse d'impact (AIPD) : risques et mesures"),
    )


@require_GET
def dpia_pdf(request):
    context = _register_context(request, "Analyse d'impact (AIPD) : risques et mesures")
    journal_event(
        request.user,
        Action.EXPORT,
        target_type="privacy.dpia",
        cell=context["cell"],
        reason="support d'analyse d'impact (PDF)",
    )
    content = render_pdf("privacy/pdf/dpia.html", context)
    return pdf_response(content, f"aipd-{context['cell'].organisation.name}")


@require_GET
def notice(request):
    return render(
        request,
        "privacy/notice.html",
        _register_context(request, "Mention d'information collective"),
    )


@require_GET
def letter(request):
    return render(
        request,
        "privacy/letter.html",
        _register_context(request, "Lettre d'information individuelle"),
    )


@require_GET
def letter_pdf(request):
    context = _register_context(request, "Lettre d'information individuelle")
    journal_event(
        request.user,
        Action.PRINT,
        target_type="privacy.letter",
        cell=context["cell"],
        reason="modèle de lettre d'information individuelle (PDF)",
    )
    content = render_pdf("privacy/pdf/letter.html", context)
    return pdf_response(content, f"lettre-information-{context['cell'].name}")
