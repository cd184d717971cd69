from django.contrib import admin, messages
from django.db import transaction

from cellule.reports.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The indicator grid, for the technical administrator. A change of wording, domain or strength
    makes a new version: the reports already made keep the wording they were made with."""

    list_display = ["label", "domain", "strength", "version", "is_current"]
    list_filter = ["is_current", "domain", "strength"]
    search_fields = ["label", "code"]
    fields = ["code", "domain", "strength", "label", "order", "is_current", "version"]
    readonly_fields = ["version"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "version"] if obj else ["version"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("domain_order", "order", "code", "-version")

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        versioned = {"label", "domain", "strength"}
        if change and versioned & set(form.changed_data):
            previous = Indicator.objects.select_for_update().get(pk=obj.pk)
            Indicator.objects.filter(pk=obj.pk).update(is_current=False)
            obj.pk = None
            obj.version = previous.version + 1
            obj.is_current = True
            obj.save()
            messages.info(
                request,
                f"Version {obj.version} créée ; la version {previous.version} reste attachée aux signalements déjà faits.",
            )
            return
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # retire an item (« en vigueur » unticked); reports keep pointing at it
