"""{% proconnect_enabled as proconnect %}: whether the login page offers the ProConnect button."""

from django import template

from cellule.accounts import proconnect

register = template.Library()


@register.simple_tag
def proconnect_enabled() -> bool:
    return proconnect.is_enabled()
