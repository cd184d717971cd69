"""The project's base form: django-dsfr's, rendered by one renderer for the whole process."""

from django.forms import ModelChoiceField
from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates

# django-dsfr's base form hands each form a new renderer, hence a new template engine whose
# cache starts empty: every form rendered compiled its templates again (17 on a situation's
# page). One renderer keeps them compiled. Setting FORM_RENDERER instead would also restyle the
# admin's widgets.
RENDERER = DsfrDjangoTemplates()


# What a list shows when nothing is chosen, as in the project's other lists (Django: "---------").
EMPTY_CHOICE = "—"


class BaseForm(DsfrBaseForm):
    """A DSFR form (classes, field snippets) sharing the process's compiled templates."""

    default_renderer = RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, ModelChoiceField) and field.empty_label == "---------":
                field.empty_label = EMPTY_CHOICE
