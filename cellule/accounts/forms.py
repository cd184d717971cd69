from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from cellule.accounts.enums import Role
from cellule.accounts.models import Cell, Membership, Organisation
from cellule.core.forms import BaseForm

# Same words whether the e-mail exists or not, whether the account is active or not.
INVALID_LOGIN = "Identifiant et/ou mot de passe non valides."


class LoginForm(BaseForm, AuthenticationForm):
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "type": "email"})
        self.fields["password"].label = "Mot de passe"

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class TOTPCodeForm(BaseForm):
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


class CellulePasswordResetForm(BaseForm, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique"


class CelluleSetPasswordForm(BaseForm, SetPasswordForm):
    pass


class CharterSignForm(BaseForm):
    accept = forms.BooleanField(
        label="J'ai lu la charte de confidentialité et je m'engage à la respecter.",
        error_messages={"required": "Cochez la case pour signer la charte."},
    )


class CharterEditForm(BaseForm, forms.ModelForm):
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


class MembershipForm(BaseForm, forms.ModelForm):
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


class InvitationForm(BaseForm):
    email = forms.EmailField(label="Adresse électronique professionnelle")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label="Rôle dans la cellule")

    def __init__(self, *args, cell, roles, **kwargs):
        super().__init__(*args, **kwargs)
        from cellule.accounts.invitations import organisations_for

        self.cell = cell
        self.fields["organisation"].queryset = organisations_for(cell).order_by("name")
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["role"].initial = Role.MEMBER if Role.MEMBER in roles else roles[0]

    def clean_email(self):
        from cellule.accounts.invitations import invitation_conflicts

        email = self.cleaned_data["email"].strip().lower()
        for problem in invitation_conflicts(cell=self.cell, email=email):
            self.add_error("email", problem)
        return email


class BulkInvitationForm(BaseForm):
    MAX_BYTES = 200_000

    file = forms.FileField(
        label="Fichier CSV",
        help_text="Une ligne par personne, avec l'en-tête : email ; prénom ; nom ; organisation ; rôle. "
        "Séparateur point-virgule ou virgule. 500 lignes au plus.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                "Le fichier dépasse 200 ko : découpez-le en plusieurs envois."
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Le fichier doit être au format CSV (extension .csv).")
        return upload.read()


class AcceptInvitationForm(BaseForm, SetPasswordForm):
    """Chooses the password of the account the invitation creates."""

    def __init__(self, invitation, *args, **kwargs):
        from cellule.accounts.models import User

        # An unsaved user, so that the similarity validator compares with the invitee's names.
        user = User(
            email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name
        )
        super().__init__(user, *args, **kwargs)

    def save(self, commit=False):
        return self.cleaned_data["new_password1"]


class ReauthenticationForm(BaseForm):
    password = forms.CharField(label="Mot de passe", required=False, widget=forms.PasswordInput)
    code = forms.CharField(
        label="ou code à usage unique",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        password, code = (
            self.cleaned_data.get("password"),
            self.cleaned_data.get("code", "").strip(),
        )
        if not password and not code:
            raise forms.ValidationError("Saisissez votre mot de passe ou un code à usage unique.")
        if password and self.user.check_password(password):
            return self.cleaned_data
        if code:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=self.user, confirmed=True).first()
            if device and device.verify_is_allowed()[0] and device.verify_token(code):
                return self.cleaned_data
        raise forms.ValidationError("Mot de passe ou code non valable.")


class RecoveryCodeForm(BaseForm):
    code = forms.CharField(
        label="Code de secours",
        help_text="Un des 10 codes imprimés ou notés lors de leur création, par exemple ABCDE-FGH23.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CellulePasswordChangeForm(BaseForm, PasswordChangeForm):
    pass
