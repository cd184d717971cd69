from django import forms

from cellule.core.forms import BaseForm
from cellule.journal.enums import Action


class JournalFilterForm(BaseForm):
    user = forms.EmailField(label="Utilisateur (adresse électronique)", required=False)
    target = forms.UUIDField(
        label="Personne ou situation (identifiant)",
        required=False,
        help_text="L'identifiant figure dans l'adresse de la fiche (…/situations/<identifiant>/).",
        error_messages={
            "invalid": "Saisissez un identifiant complet, au format affiché dans l'adresse de la fiche."
        },
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes"), *Action.choices]
    )
    start = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # Keyset pagination (the journal holds millions of events: no page numbers, no count): the
    # events older than ``avant``, or newer than ``apres``; set by the page's links.
    # A position that is not a number (a hand-edited address) is ignored: the newest page.
    avant = forms.CharField(required=False, widget=forms.HiddenInput)
    apres = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def _position(value: str) -> int | None:
        return int(value) if value.isascii() and value.isdigit() else None

    def clean_avant(self):
        return self._position(self.cleaned_data["avant"])

    def clean_apres(self):
        return self._position(self.cleaned_data["apres"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "La fin de la période précède son début.")
        return cleaned
