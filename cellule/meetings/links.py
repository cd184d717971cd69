"""Where séances lead: their page, and the exchanges app's transmission form."""

from django.urls import NoReverseMatch, reverse


def seance_url(pk: str) -> str:
    return reverse("meetings:detail", kwargs={"pk": pk})


def transmission_url(situation_id) -> str | None:
    """The transmission form for a « transmettre à la préfecture » decision. The exchanges app
    provides it (``exchanges:transmit_situation``); None while it does not exist."""
    try:
        return reverse("exchanges:transmit_situation", kwargs={"pk": situation_id})
    except NoReverseMatch:
        return None
