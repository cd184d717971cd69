from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cellule.accounts.models import Organisation, User
from cellule.cases.enums import ClosureReason, MeasureKind, SituationStatus, TextDecision
from cellule.cases.models import NOTE_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, TRANSITIONS
from cellule.core.forms import BaseForm

FACTS_ONLY = (
    "Des faits datés et vérifiables, pas des croyances ou des pratiques. Texte relu à la clôture."
)


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _short_text(label, *, required=True, max_length=SHORT_TEXT_MAX_LENGTH, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text or FACTS_ONLY,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


def sitting_users(cell):
    """Users who sit in the cell today (possible référents)."""
    from cellule.access.roles import SITTING
    from cellule.accounts.models import Membership

    ids = (
        Membership.objects.filter(cell=cell, role__in=SITTING)
        .granting()
        .values_list("user_id", flat=True)
    )
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


class TransitionForm(BaseForm):
    to = forms.ChoiceField(label="Nouvel état")
    reason = _short_text("Motif du changement")

    def __init__(self, *args, situation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (status.value, label)
            for status, label in TRANSITIONS[SituationStatus(situation.status)].items()
            if status not in (SituationStatus.CLOSED, SituationStatus.ARCHIVED)
        ]


class ReferentForm(BaseForm):
    referent = forms.ModelChoiceField(
        label="Référent de parcours",
        queryset=User.objects.none(),
        required=False,
        empty_label="Aucun référent",
    )

    def __init__(self, *args, situation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = sitting_users(situation.cell_id)
        self.fields["referent"].label_from_instance = lambda u: u.get_full_name()


class MeasureForm(BaseForm):
    kind = forms.ChoiceField(label="Nature de la mesure", choices=[("", "—"), *MeasureKind.choices])
    provider = forms.ModelChoiceField(
        label="Organisme qui porte la mesure", queryset=Organisation.objects.none()
    )
    referent = forms.ModelChoiceField(
        label="Référent de la mesure", queryset=User.objects.none(), required=False
    )
    proposed_on = _date("Proposée le")

    def __init__(self, *args, situation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = (
            Organisation.objects.filter(users__memberships__cell=situation.cell_id)
            .distinct()
            .order_by("name")
        )
        self.fields["referent"].queryset = sitting_users(situation.cell_id)
        self.fields["referent"].label_from_instance = lambda u: u.get_full_name()
        self.fields["proposed_on"].initial = timezone.localdate()


class ConsentForm(BaseForm):
    answer = forms.ChoiceField(
        label="Réponse de la personne (libre adhésion)",
        choices=[("accepted", "Elle accepte la mesure"), ("refused", "Elle refuse la mesure")],
        widget=forms.RadioSelect,
    )
    answered_on = _date("Date de la réponse")
    parental_consent_on = _date(
        "Date de l'accord des représentants légaux",
        required=False,
        help_text="Obligatoire pour une personne mineure qui accepte la mesure.",
    )


class MeasureProgressForm(BaseForm):
    step = forms.ChoiceField(
        choices=[("start", "Commencer"), ("end", "Terminer")], widget=forms.HiddenInput
    )
    on = _date("Date")
    outcome = _short_text("Bilan de la mesure", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("step") == "end" and not (cleaned.get("outcome") or "").strip():
            self.add_error("outcome", "Indiquez le bilan de la mesure.")
        return cleaned


class ReviewForm(BaseForm):
    changes = _short_text("Ce qui a changé depuis la dernière revue")
    next_review_on = _date(
        "Prochaine revue le",
        required=False,
        help_text="Par défaut : à la prochaine séance, ou dans 90 jours sans séance prévue.",
    )


class NoteForm(BaseForm):
    text = _short_text("Note de suivi", max_length=NOTE_MAX_LENGTH, rows=4)


class ArchiveAccessForm(BaseForm):
    reason = forms.CharField(
        label="Motif de la consultation",
        max_length=300,
        help_text="Enregistré au journal des accès avec votre nom, la date et l'heure.",
    )


class SearchForm(BaseForm):
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    birth_date = _date("Date de naissance (facultatif)", required=False)


class CloseForm(BaseForm):
    reason = forms.ChoiceField(
        label="Motif de clôture", choices=[("", "—"), *ClosureReason.choices]
    )
    text = _short_text("Texte de clôture")

    def __init__(self, *args, texts, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = texts
        for n, item in enumerate(texts):
            self.fields[f"decision_{n}"] = forms.ChoiceField(
                label=item["label"],
                choices=TextDecision.choices,
                widget=forms.RadioSelect,
                initial=TextDecision.KEEP,
            )
            self.fields[f"shortened_{n}"] = forms.CharField(
                label="Texte raccourci",
                required=False,
                max_length=SHORT_TEXT_MAX_LENGTH,
                initial=item["text"],
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": SHORT_TEXT_MAX_LENGTH}),
            )

    def text_rows(self):
        return [
            {"item": item, "decision": self[f"decision_{n}"], "shortened": self[f"shortened_{n}"]}
            for n, item in enumerate(self.texts)
        ]

    def main_fields(self):
        return [self["reason"], self["text"]]

    def reviews(self):
        from cellule.cases.services import TextReview

        return [
            TextReview(
                key=item["key"],
                decision=self.cleaned_data.get(f"decision_{n}", ""),
                shortened=self.cleaned_data.get(f"shortened_{n}", ""),
            )
            for n, item in enumerate(self.texts)
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reason") and "reason" not in self.errors:
            raise ValidationError("Choisissez un motif de clôture.")
        return cleaned
