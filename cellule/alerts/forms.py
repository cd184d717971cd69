from django import forms
from dsfr.widgets import InlineRadioSelect

from cellule.alerts.kinds import Kind
from cellule.core.forms import BaseForm


class KindFilterForm(BaseForm):
    kind = forms.ChoiceField(label="Type d'alerte", required=False)

    def __init__(self, *args, kinds: list[Kind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Toutes"), *((k.code, k.label) for k in kinds)]


class PreferencesForm(BaseForm):
    """One radio group per kind the user may change; the others are shown, fixed, by the page."""

    def __init__(self, *args, kinds: list[Kind], current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = [kind for kind in kinds if kind.optional]
        for kind in self.kinds:
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.text,
                choices=kind.choices,
                initial=current.get(kind.code, kind.default),
                widget=InlineRadioSelect,
            )

    def groups(self):
        """[(group, [bound fields])] in the registry's order, for the page's sections."""
        grouped: dict[str, list] = {}
        for kind in self.kinds:
            grouped.setdefault(kind.group, []).append(self[kind.code])
        return list(grouped.items())
