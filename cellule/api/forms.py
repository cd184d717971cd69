from django import forms

from cellule.api.tokens import NAME_MAX_LENGTH
from cellule.core.forms import BaseForm

VALIDITY_CHOICES = [(30, "30 jours"), (90, "90 jours"), (180, "180 jours"), (365, "1 an")]


class TokenForm(BaseForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=NAME_MAX_LENGTH,
        help_text="Le logiciel ou l'usage auquel il sert, par exemple « Logiciel de vie scolaire ».",
    )
    days = forms.TypedChoiceField(
        label="Durée de validité",
        choices=VALIDITY_CHOICES,
        coerce=int,
        initial=90,
        help_text="Passé ce délai, le jeton ne fonctionne plus : il faudra en créer un autre.",
    )
