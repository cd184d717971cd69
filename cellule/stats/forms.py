import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cellule.core.forms import BaseForm
from cellule.stats.aggregates import Period, add_months

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
MONTH_FORMAT = re.compile(r"^(\d{4})-(\d{2})$")
FORMAT_ERROR = "Indiquez un mois au format AAAA-MM, par exemple 2026-01."


def _month(value: str) -> date:
    match = MONTH_FORMAT.match(value.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValidationError(FORMAT_ERROR)
    return date(int(match[1]), int(match[2]), 1)


class PeriodForm(BaseForm):
    """The months to count, from and to (included). Read from the query string."""

    du = forms.CharField(
        label="Du mois de",
        help_text="Format : AAAA-MM",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
    )
    au = forms.CharField(
        label="Au mois de (inclus)",
        help_text="Format : AAAA-MM",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
    )

    def __init__(self, data=None, *, today: date | None = None):
        self.today = today or timezone.localdate()
        self.default = Period.last_months(DEFAULT_MONTHS, today=self.today)
        super().__init__(data or None, initial=self._initial())

    def _initial(self):
        return {"du": f"{self.default.first:%Y-%m}", "au": f"{self.default.last:%Y-%m}"}

    def clean_du(self):
        value = self.cleaned_data["du"]
        return _month(value) if value else self.default.first

    def clean_au(self):
        value = self.cleaned_data["au"]
        return _month(value) if value else self.default.last

    def clean(self):
        data = super().clean()
        first, last = data.get("du"), data.get("au")
        if first and last:
            if first > last:
                raise ValidationError("Le premier mois doit précéder le dernier (ou être le même).")
            if first > self.default.last:
                self.add_error("du", "La période ne peut pas commencer dans le futur.")
            elif add_months(first, MAX_MONTHS - 1) < last:
                raise ValidationError(f"Choisissez une période d'au plus {MAX_MONTHS} mois.")
        return data

    @property
    def period(self) -> Period:
        """The period asked for when valid, else the last twelve months."""
        if self.is_bound and self.is_valid():
            return Period(first=self.cleaned_data["du"], last=self.cleaned_data["au"])
        return self.default
