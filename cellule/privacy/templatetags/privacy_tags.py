"""Rendering the access export (nested dicts and lists of French labels) in pages and PDFs."""

from django import template

register = template.Library()


@register.filter
def value_kind(value) -> str:
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple):
        return "list"
    return "text"
