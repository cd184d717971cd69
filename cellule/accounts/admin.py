from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm

from cellule.accounts.models import Cell, Membership, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "departement", "commune"]
    list_filter = ["kind", "departement"]
    search_fields = ["name"]
    autocomplete_fields = ["departement", "commune"]
    list_select_related = ["departement", "commune"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "cell"
    extra = 0
    fields = ["user", "role", "valid_from", "valid_until", "charter_signed_version", "ended_at"]
    readonly_fields = ["charter_signed_version", "ended_at"]
    autocomplete_fields = ["user"]


@admin.register(Cell)
class CellAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "departement", "organisation", "charter_version", "is_active"]
    list_filter = ["kind", "is_active", "departement"]
    search_fields = ["name"]
    autocomplete_fields = ["departement", "communes", "organisation"]
    readonly_fields = ["charter_version", "charter_updated_at", "created_at"]
    list_select_related = ["departement", "organisation"]
    inlines = [MembershipInline]


class UserCreationForm(forms.ModelForm):
    """Creates an account without a usable password: its holder sets one by the reset link."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "organisation", "global_role"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "last_name",
        "first_name",
        "organisation",
        "global_role",
        "is_active",
        "last_login",
    ]
    list_filter = ["global_role", "is_active", "organisation__kind"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["last_login", "date_joined"]
    list_select_related = ["organisation"]
    fields = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "global_role",
        "is_active",
        "last_login",
        "date_joined",
    ]
    change_password_form = AdminPasswordChangeForm

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UserCreationForm
            kwargs["fields"] = UserCreationForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: the journal keeps referring to them


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "cell",
        "role",
        "valid_from",
        "valid_until",
        "charter_signed_version",
        "ended_at",
    ]
    list_filter = ["role", "cell"]
    search_fields = ["user__email", "user__last_name", "cell__name"]
    autocomplete_fields = ["user", "cell"]
    readonly_fields = [
        "charter_signed_version",
        "charter_signed_at",
        "ended_at",
        "ended_by",
        "created_at",
        "created_by",
    ]
    list_select_related = ["user", "cell"]
