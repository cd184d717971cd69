from django import forms

from cellule.core.forms import BaseForm
from cellule.privacy import rules
from cellule.privacy.enums import HoldGround, RequestKind, RequestOutcome
from cellule.privacy.models import DETAIL_MAX_LENGTH

NO_NAMES = "Une référence (numéro de procédure, de courrier), sans nom ni détail personnel."


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label, *, required=True, max_length=1000, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


class RetentionForm(BaseForm):
    """One field per rule a cell may set, bounded by the rule's legal limits."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for rule in rules.configurable_rules():
            self.fields[rule.code] = forms.IntegerField(
                label=f"{rule.label} (jours, {rule.starts})",
                min_value=rule.min_days,
                max_value=rule.max_days,
                initial=current.get(rule.code, rule.default_days),
                help_text=f"Entre {rule.min_days} et {rule.max_days} jours ({rule.bounds_label}) ; "
                f"par défaut {rule.default_label()}.",
                widget=forms.NumberInput(attrs={"min": rule.min_days, "max": rule.max_days}),
            )


class HoldForm(BaseForm):
    ground = forms.ChoiceField(
        label="Motif du gel", choices=[("", "—"), *HoldGround.choices], required=True
    )
    detail = _text(
        "Référence",
        required=False,
        max_length=DETAIL_MAX_LENGTH,
        rows=2,
        help_text=NO_NAMES + " Obligatoire pour « Autre motif juridique ».",
    )


class RequestForm(BaseForm):
    kind = forms.ChoiceField(label="Droit exercé", choices=[("", "—"), *RequestKind.choices])
    received_on = _date(
        "Reçue le", help_text="Le délai de réponse d'un mois court à partir de cette date."
    )
    last_name = forms.CharField(label="Nom du demandeur", max_length=150)
    first_name = forms.CharField(label="Prénom du demandeur", max_length=150)
    birth_date = _date(
        "Date de naissance",
        required=False,
        help_text="Si elle est connue : elle aide à retrouver la personne dans le fichier.",
    )
    contact = _text(
        "Adresse où répondre",
        max_length=300,
        rows=2,
        help_text="Adresse postale ou électronique donnée par le demandeur.",
    )


class LinkPersonForm(BaseForm):
    person = forms.ChoiceField(label="Personne concernée", widget=forms.RadioSelect)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(candidate.person.pk),
                f"{candidate.identity.last_name} {candidate.identity.first_name}"
                + (
                    f", né(e) le {candidate.identity.birth_date:%d/%m/%Y}"
                    if candidate.identity.birth_date
                    else ""
                )
                + f" — {' ; '.join(candidate.reasons)}",
            )
            for candidate in candidates
        ]
        choices.append(("none", "Aucune de ces personnes : rien n'est détenu sur le demandeur"))
        self.fields["person"].choices = choices


class ReviewForm(BaseForm):
    comment = _text("Commentaire de relecture", required=False, rows=2)


class RectifyForm(BaseForm):
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    birth_date = _date("Date de naissance", required=False)
    approximate_age = forms.IntegerField(
        label="Âge approximatif", required=False, min_value=0, max_value=120
    )
    address = forms.CharField(label="Adresse", max_length=300, required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)


class RectificationNoteForm(BaseForm):
    comment = _text(
        "Rectification faite sur les écrans du dossier",
        rows=2,
        help_text="Ce qui a été corrigé et où (note, mesure, revue…), sans recopier les données.",
    )


class EraseForm(BaseForm):
    reason = _text("Motif de l'effacement", rows=2)
    confirm = forms.BooleanField(
        label="Je confirme l'effacement définitif de toutes les données de cette personne",
        required=True,
    )


class StepForm(BaseForm):
    action = forms.ChoiceField(
        label="Étape",
        choices=[("note", "Ajouter une note"), ("extend", "Prolonger le délai de deux mois")],
        widget=forms.RadioSelect,
        initial="note",
    )
    comment = _text("Note ou motif de la prolongation", rows=2)


class AnswerForm(BaseForm):
    outcome = forms.ChoiceField(
        label="Réponse donnée", choices=[("", "—"), *RequestOutcome.choices]
    )
    comment = _text(
        "Motifs",
        required=False,
        rows=3,
        help_text="Obligatoires pour une réponse partielle ou un refus (ils sont communiqués à "
        "la personne, avec les voies de recours).",
    )
