"""Every form of the project renders with the process's one DSFR renderer (cellule.core.forms)."""

import importlib
import pkgutil

from django import forms
from dsfr.forms import DsfrBaseForm

import cellule
from cellule.accounts.models import User
from cellule.core.forms import EMPTY_CHOICE, RENDERER, BaseForm


def subclasses(klass):
    for sub in klass.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_every_dsfr_form_of_the_project_shares_one_renderer():
    for module in pkgutil.walk_packages(cellule.__path__, "cellule."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    ours = [form for form in subclasses(DsfrBaseForm) if form.__module__.startswith("cellule.")]
    assert len(ours) > 30
    strays = [form.__qualname__ for form in ours if not issubclass(form, BaseForm)]
    assert strays == [], "formulaires hors de cellule.core.forms.BaseForm"
    assert all(form.default_renderer is RENDERER for form in ours)


def test_a_list_with_nothing_chosen_says_so_in_the_projects_words():
    """Django's « --------- » never shows: « — » as in the other lists, or the field's own."""

    class Choice(BaseForm):
        referent = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
        organisation = forms.ModelChoiceField(
            queryset=User.objects.none(), empty_label="Aucun organisme"
        )

    form = Choice()
    assert list(form.fields["referent"].choices) == [("", EMPTY_CHOICE)]
    assert list(form.fields["organisation"].choices) == [("", "Aucun organisme")]
    assert "---------" not in str(form["referent"]) + str(form["organisation"])
