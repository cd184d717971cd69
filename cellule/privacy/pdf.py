"""PDF from Django templates with WeasyPrint (verified stack §5), DSFR's Marianne embedded."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify


def _file_url(static_path: str) -> str:
    found = finders.find(static_path)
    return Path(found).as_uri() if found else ""


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    context = {
        **context,
        "pdf_css": _file_url("cellule/css/privacy-pdf.css"),
        "font_regular": _file_url("dsfr/dist/fonts/Marianne-Regular.woff2"),
        "font_bold": _file_url("dsfr/dist/fonts/Marianne-Bold.woff2"),
        "printed_at": timezone.localtime(),
    }
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


def pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}-{stamp}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
