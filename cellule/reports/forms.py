from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cellule.core.forms import BaseForm
from cellule.people.enums import Relationship
from cellule.people.identity import (
    ADDRESS_MAX_LENGTH,
    MAX_AGE,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    Identity,
    RepresentativeIdentity,
)
from cellule.reports.enums import ClosureReason, RedirectService, SourceCategory
from cellule.reports.models import TEXT_MAX_LENGTH, Indicator
from cellule.territory.models import Commune

FUTURE = "La date ne peut pas être dans le futur."
REPRESENTATIVES = (1, 2)


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(FUTURE)
    return value


class SignalementForm(BaseForm):
    """The fiche de signalement. Facts and dates; lists rather than free text (CNIL 2020)."""

    # The person concerned
    last_name = forms.CharField(label="Nom", max_length=NAME_MAX_LENGTH)
    first_name = forms.CharField(label="Prénom", max_length=NAME_MAX_LENGTH)
    birth_date = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Si vous ne la connaissez pas, indiquez un âge approximatif.",
    )
    approximate_age = forms.IntegerField(
        label="ou âge approximatif", required=False, min_value=0, max_value=MAX_AGE
    )
    commune = forms.ModelChoiceField(
        label="Commune de résidence", queryset=Commune.objects.none(), required=False
    )
    address = forms.CharField(label="Adresse", required=False, max_length=ADDRESS_MAX_LENGTH)
    phone = forms.CharField(label="Téléphone", required=False, max_length=PHONE_MAX_LENGTH)
    # The facts
    observed_on = forms.DateField(
        label="Date des faits observés",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_in_future],
    )
    source_category = forms.ChoiceField(
        label="Origine du signalement",
        choices=[("", "Choisir dans la liste"), *SourceCategory.choices],
    )
    indicators = forms.MultipleChoiceField(
        label="Indicateurs observés",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un indicateur observé, avec sa date."},
    )
    text = forms.CharField(
        label="Faits observés",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX_LENGTH}),
        help_text="Décrivez des faits et des comportements datés, pas des croyances ou des pratiques.",
    )
    urgent = forms.BooleanField(label="Cette situation me semble urgente", required=False)

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = list(Indicator.objects.current())
        self.fields["indicators"].choices = [(str(i.pk), i.label) for i in self.grid]
        communes = Commune.objects.filter(departement=cell.departement_id).order_by("name")
        self.fields["commune"].queryset = communes
        municipal = list(cell.communes.values_list("pk", flat=True))
        if len(municipal) == 1:
            self.fields["commune"].initial = municipal[0]
        for indicator in self.grid:
            self.fields[f"date_{indicator.pk}"] = forms.DateField(
                label=f"Date observée : {indicator.label}",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                validators=[_not_in_future],
            )
        for n in REPRESENTATIVES:
            self.fields[f"rep{n}_last_name"] = forms.CharField(
                label="Nom", required=False, max_length=NAME_MAX_LENGTH
            )
            self.fields[f"rep{n}_first_name"] = forms.CharField(
                label="Prénom", required=False, max_length=NAME_MAX_LENGTH
            )
            self.fields[f"rep{n}_relationship"] = forms.ChoiceField(
                label="Lien avec la personne",
                required=False,
                choices=[("", "—"), *Relationship.choices],
            )
            self.fields[f"rep{n}_phone"] = forms.CharField(
                label="Téléphone", required=False, max_length=PHONE_MAX_LENGTH
            )

    # Groups for the template: the grid by domain, each item with its checkbox state and date field.
    def grid_by_domain(self):
        checked = set(self["indicators"].value() or [])
        groups: dict[str, dict] = {}
        for indicator in self.grid:
            group = groups.setdefault(
                indicator.domain,
                {
                    "label": indicator.get_domain_display(),
                    "imminent": indicator.is_imminent_danger,
                    "items": [],
                },
            )
            group["items"].append(
                {
                    "indicator": indicator,
                    "checked": str(indicator.pk) in checked,
                    "date": self[f"date_{indicator.pk}"],
                }
            )
        return list(groups.values())

    def representative_fields(self):
        return [
            [
                self[f"rep{n}_{name}"]
                for name in ("last_name", "first_name", "relationship", "phone")
            ]
            for n in REPRESENTATIVES
        ]

    def clean(self):
        cleaned = super().clean()
        for pk in cleaned.get("indicators", []):
            if not cleaned.get(f"date_{pk}") and f"date_{pk}" not in self.errors:
                self.add_error(
                    f"date_{pk}", "Indiquez la date à laquelle ce comportement a été observé."
                )
        self.identity = Identity(
            last_name=cleaned.get("last_name", ""),
            first_name=cleaned.get("first_name", ""),
            birth_date=cleaned.get("birth_date"),
            approximate_age=cleaned.get("approximate_age"),
            address=cleaned.get("address", ""),
            phone=cleaned.get("phone", ""),
        )
        if (
            cleaned.get("birth_date") is None
            and cleaned.get("approximate_age") is None
            and not ({"birth_date", "approximate_age"} & set(self.errors))
        ):
            self.add_error(
                "birth_date", "Indiquez la date de naissance ou, à défaut, un âge approximatif."
            )
        try:
            self.identity.validate()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, messages)
        self.representatives = []
        for n in REPRESENTATIVES:
            values = {
                name: cleaned.get(f"rep{n}_{name}", "")
                for name in ("last_name", "first_name", "relationship", "phone")
            }
            if not any(values.values()):
                continue
            representative = RepresentativeIdentity(**values)
            try:
                representative.validate()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(
                        f"rep{n}_{field}" if f"rep{n}_{field}" in self.fields else None, messages
                    )
            else:
                self.representatives.append(representative)
        return cleaned

    def observed_indicators(self):
        by_pk = {str(i.pk): i for i in self.grid}
        return [
            (by_pk[pk], self.cleaned_data[f"date_{pk}"]) for pk in self.cleaned_data["indicators"]
        ]


class QualificationForm(BaseForm):
    close = forms.BooleanField(label="Classer sans suite", required=False)
    closure_reason = forms.ChoiceField(
        label="Motif du classement", required=False, choices=[("", "—"), *ClosureReason.choices]
    )
    redirect = forms.BooleanField(label="Réorienter vers le droit commun", required=False)
    redirect_service = forms.ChoiceField(
        label="Service de droit commun",
        required=False,
        choices=[("", "—"), *RedirectService.choices],
    )
    agenda = forms.BooleanField(
        label="Inscrire à l'ordre du jour de la prochaine séance", required=False
    )
    transmit = forms.BooleanField(label="Transmettre à la préfecture", required=False)
    reason = forms.CharField(
        label="Motif de la décision",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX_LENGTH}),
        help_text="Ce qui fonde la décision, en quelques mots factuels. Enregistré avec votre nom et la date.",
    )

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(name) for name in ("close", "redirect", "agenda", "transmit")]
        if not any(chosen):
            raise ValidationError("Choisissez au moins une suite à donner.")
        if cleaned.get("close") and any(chosen[1:]):
            raise ValidationError("Un classement sans suite ne se combine avec aucune autre suite.")
        if cleaned.get("close") and not cleaned.get("closure_reason"):
            self.add_error("closure_reason", "Indiquez le motif du classement.")
        if cleaned.get("redirect") and not cleaned.get("redirect_service"):
            self.add_error(
                "redirect_service", "Indiquez vers quel service la situation est réorientée."
            )
        return cleaned
