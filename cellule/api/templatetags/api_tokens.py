from django import template

from cellule.api.models import ApiToken
from cellule.api.tokens import has_second_factor

register = template.Library()


@register.inclusion_tag("api/profile_tokens.html", takes_context=True)
def api_tokens_section(context):
    """The profile's « Jetons d'API » section: the user's own tokens, newest first."""
    user = context["request"].user
    return {
        "tokens": list(ApiToken.objects.of(user)[:50]),
        "second_factor": has_second_factor(user),
        "request": context["request"],
    }
