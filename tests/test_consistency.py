"""Meta-tests: rules that every route and every model must follow."""

import importlib
import sys
import types

from django.urls import URLPattern, URLResolver, get_resolver, path

from tests.access.matrix import ADMIN_ROUTES, ROUTES, RULED_NAMESPACES


def route_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield (
                f"{namespace}{pattern.name}"
                if pattern.name
                else f"{namespace}<sans nom:{pattern.pattern}>"
            )


def unruled_routes(urlconf) -> list[str]:
    """Routes of the URL conf with no row in the access matrix."""
    ruled = {route.name for route in ROUTES + ADMIN_ROUTES}
    missing = []
    for name in route_names(get_resolver(urlconf).url_patterns):
        if name.split(":", 1)[0] in RULED_NAMESPACES and ":" in name:
            continue
        if name not in ruled:
            missing.append(name)
    return missing


def test_every_route_has_an_access_rule():
    assert unruled_routes(None) == []


def test_a_route_without_access_rule_is_caught():
    stray = types.ModuleType("tests.urls_with_stray_route")
    stray.urlpatterns = [
        *importlib.import_module("config.urls").urlpatterns,
        path("fiche-oubliee/", lambda request: None, name="fiche_oubliee"),
    ]
    sys.modules[stray.__name__] = stray
    try:
        assert unruled_routes(stray.__name__) == ["fiche_oubliee"]
    finally:
        del sys.modules[stray.__name__]


def test_matrix_has_no_stale_row():
    existing = set(route_names(get_resolver().url_patterns))
    stale = [route.name for route in ROUTES + ADMIN_ROUTES if route.name not in existing]
    assert stale == []
