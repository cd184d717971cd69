"""Panels of the dashboard that other apps contribute, without core importing them.

An app registers, in its ``AppConfig.ready()``, a function ``(request, membership) -> dict`` whose
result is merged into the dashboard's context; its template includes the matching card. Apps
depend downwards (architecture §4): core shows what the apps above it give it.
"""

from collections.abc import Callable

_PANELS: list[Callable] = []


def register_panel(function: Callable) -> Callable:
    if function not in _PANELS:
        _PANELS.append(function)
    return function


def panels_context(request, membership) -> dict:
    context: dict = {}
    for function in _PANELS:
        context.update(function(request, membership) or {})
    return context
