from django import forms
from dsfr.forms import DsfrBaseForm

from cellule.journal.enums import Action


class JournalFilterForm(DsfrBaseForm):
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

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "La fin de la période précède son début.")
        return cleaned
