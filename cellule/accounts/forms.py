from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBaseForm

from cellule.accounts.enums import Role
from cellule.accounts.models import Cell, Membership

# Same words whether the e-mail exists or not, whether the account is active or not.
INVALID_LOGIN = "Identifiant et/ou mot de passe non valides."


class LoginForm(DsfrBaseForm, AuthenticationForm):
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "type": "email"})
        self.fields["password"].label = "Mot de passe"

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class TOTPCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label="Code à usage unique",
        help_text="Les 6 chiffres affichés par votre application d'authentification.",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Saisissez le code à 6 chiffres.",
            "min_length": "Le code compte 6 chiffres.",
            "max_length": "Le code compte 6 chiffres.",
        },
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("Le code ne contient que des chiffres.")
        return code


class CellulePasswordResetForm(DsfrBaseForm, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique"


class CelluleSetPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass


class CharterSignForm(DsfrBaseForm):
    accept = forms.BooleanField(
        label="J'ai lu la charte de confidentialité et je m'engage à la respecter.",
        error_messages={"required": "Cochez la case pour signer la charte."},
    )


class CharterEditForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Cell
        fields = ["charter_text"]
        widgets = {"charter_text": forms.Textarea(attrs={"rows": 20})}
        help_texts = {
            "charter_text": "Enregistrer crée une nouvelle version : chaque membre devra la signer "
            "avant de retrouver l'accès à la cellule."
        }

    def clean_charter_text(self):
        text = self.cleaned_data["charter_text"].strip()
        if text == self.instance.charter_text.strip():
            raise forms.ValidationError(
                "Le texte n'a pas changé : aucune nouvelle version à signer."
            )
        return text


class MembershipForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "valid_until"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"valid_until": "Laisser vide pour une habilitation sans date de fin."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A guest is invited to one séance, from that séance, not given a standing habilitation.
        self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.GUEST]

    def clean_valid_until(self):
        valid_until = self.cleaned_data["valid_until"]
        if valid_until and valid_until < self.instance.valid_from:
            raise forms.ValidationError(
                "La date de fin ne peut pas précéder le début de l'habilitation "
                f"({self.instance.valid_from:%d/%m/%Y})."
            )
        return valid_until
