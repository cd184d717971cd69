from django import forms
from django.utils import timezone

from cellule.accounts.enums import CellKind
from cellule.accounts.models import Cell
from cellule.core.forms import BaseForm
from cellule.exchanges.enums import (
    DEFAULT_FIELDS,
    BriefingChannel,
    FeedbackOutcome,
    InformationCase,
    LegalBasis,
    TransmittedField,
)
from cellule.exchanges.models import (
    MESSAGE_MAX_LENGTH,
    STATE_INFORMATION_VALIDITY_DAYS,
    Transmission,
)
from cellule.people.identity import NAME_MAX_LENGTH


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TransmitForm(BaseForm):
    """What a signalement à l'État carries: the fields the coordinator chooses (a minimal
    selection by default), and the text that allows the exchange."""

    fields = forms.MultipleChoiceField(
        label="Éléments à transmettre",
        choices=TransmittedField.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_FIELDS),
        help_text="Seuls les éléments cochés sont copiés. Par défaut : l'identité, la commune et "
        "les faits observés datés. N'ajoutez que ce dont l'État a besoin pour évaluer la situation.",
    )
    legal_basis = forms.ChoiceField(
        label="Base légale",
        choices=[("", "—"), *LegalBasis.choices],
        initial=LegalBasis.INSTRUCTION_2018,
    )
    legal_basis_text = forms.CharField(
        label="Texte (autre base légale)",
        required=False,
        max_length=200,
        help_text="Obligatoire si vous choisissez « Autre texte ».",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("legal_basis") == LegalBasis.OTHER
            and not data.get("legal_basis_text", "").strip()
        ):
            self.add_error("legal_basis_text", "Précisez le texte qui fonde la transmission.")
        return data


class FeedbackForm(BaseForm):
    outcome = forms.ChoiceField(
        label="Retour d'information",
        choices=FeedbackOutcome.choices,
        widget=forms.RadioSelect,
        help_text="Un retour choisi dans la liste, sans information nominative : une information "
        "sur la personne passe par une information nominative au maire, après les accords "
        "préalables.",
    )


class InformationForm(BaseForm):
    """A nominative information of the préfet to the mayor: a draft until the approvals."""

    to_cell = forms.ModelChoiceField(label="Commune destinataire", queryset=Cell.objects.none())
    case = forms.ChoiceField(
        label="Cas qui permet cette information",
        choices=InformationCase.choices,
        widget=forms.RadioSelect,
    )
    reply_to = forms.ModelChoiceField(
        label="Signalement du maire concerné",
        queryset=Transmission.objects.none(),
        required=False,
        help_text="Pour un retour sur un signalement de la commune.",
    )
    last_name = forms.CharField(label="Nom de la personne concernée", max_length=NAME_MAX_LENGTH)
    first_name = forms.CharField(label="Prénom", max_length=NAME_MAX_LENGTH)
    birth_date = _date("Date de naissance", required=False)
    text = forms.CharField(
        label="Information transmise au maire",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        help_text="Le strict nécessaire à l'exercice de ses compétences. Jamais d'élément couvert "
        "par le secret de la défense nationale ni susceptible de nuire au secret de l'enquête.",
    )
    include_coordinator = forms.BooleanField(
        label="Adresser aussi l'information au coordonnateur de la cellule communale",
        required=False,
        help_text="Le maire la reçoit toujours ; personne d'autre dans la commune ne la voit.",
    )
    validity_days = forms.TypedChoiceField(
        label="Durée de validité",
        coerce=int,
        choices=[(d, f"{d} jours") for d in STATE_INFORMATION_VALIDITY_DAYS],
        initial=90,
        help_text="À l'échéance, le contenu est effacé définitivement.",
    )

    def __init__(self, *args, cell, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cell"].queryset = Cell.objects.filter(
            kind=CellKind.MUNICIPAL, departement_id=cell.departement_id, is_active=True
        ).order_by("name")
        self.fields["reply_to"].queryset = reports
        self.fields["reply_to"].label_from_instance = lambda t: (
            f"n° {t.reference} — {t.from_cell.name} — {timezone.localtime(t.sent_at):%d/%m/%Y}"
        )


class ApprovalForm(BaseForm):
    """One prior agreement; the authority is the form's prefix (one form per authority)."""

    given_on = _date("Accord donné le")
    reference = forms.CharField(label="Référence de l'accord", max_length=100)


class BriefingForm(BaseForm):
    held_on = _date("Réunion tenue le")
    channel = forms.ChoiceField(label="Cadre", choices=[("", "—"), *BriefingChannel.choices])
