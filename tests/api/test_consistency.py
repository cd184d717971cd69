"""Meta-tests of the API: every operation has its access rule, every router is scoped."""

import ast
import inspect

from django.urls import get_resolver
from ninja import Router

from cellule.api import main
from tests.api.matrix import OPERATIONS, ruled

METHODS = {"get", "post", "put", "patch", "delete"}


def operations(schema: dict) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }


def unruled(schema: dict) -> list[tuple[str, str]]:
    return sorted(operations(schema) - ruled())


def schema():
    return main.api.get_openapi_schema(path_prefix="/api/v1/")


def test_every_api_operation_has_a_row_in_the_api_matrix():
    assert unruled(schema()) == []


def test_an_operation_without_a_row_is_caught():
    stray = schema()
    stray["paths"]["/api/v1/personnes"] = {"get": {}}
    assert unruled(stray) == [("get", "/api/v1/personnes")]


def test_the_matrix_has_no_stale_row():
    assert sorted(ruled() - operations(schema())) == []


def test_the_api_namespace_holds_only_the_api():
    """The page matrix leaves the « api » namespace to this one: no page may hide there."""
    views = {}
    for resolver in get_resolver().url_patterns:
        if getattr(resolver, "namespace", None) == "api":
            for pattern in resolver.url_patterns:
                callback = getattr(pattern.callback, "func", pattern.callback)
                views[pattern.name] = callback.__module__
    assert {"openapi-json", "openapi-view", "api-root"} <= set(views)
    assert set(views.values()) == {"ninja.openapi.views", "ninja.operation"}


def test_every_router_reads_through_access():
    """Each operation module fetches through cellule.access, never Model.objects.get()."""
    modules = {
        inspect.getmodule(router)
        for router in vars(main).values()
        if inspect.ismodule(router) and isinstance(getattr(router, "router", None), Router)
    }
    assert modules, "no router module found"
    for module in modules:
        source = inspect.getsource(module)
        tree = ast.parse(source)
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "objects"
        ]
        assert calls == [], f"{module.__name__}: .objects.get() on a model"
    assert len(OPERATIONS) == len(operations(schema()))
