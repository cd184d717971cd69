"""Pages of a list, journaled like the pages' lists: the ids shown, before anything is decrypted.

A list operation returns a ``Listing`` (the scoped queryset, the cell it reads, and how to turn
one row into JSON); ``JournaledPagination`` slices it, records one LIST_VIEWED event with the ids
of the page, then serialises the rows (decrypting names only then).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from cellule.access.journaling import Action, journal_event

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000  # beyond, the offset would overflow SQLite's integers long before any data


@dataclass
class Listing:
    queryset: QuerySet
    serialize: Callable[[Any], dict]
    cell: object = None


class JournaledPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Numéro de page, à partir de 1.")
        page_size: int = Field(
            PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Éléments par page ({PAGE_SIZE} par défaut, {MAX_PAGE_SIZE} au plus).",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Nombre total d'éléments, toutes pages confondues.")
        page: int
        page_size: int

    def paginate_queryset(self, listing: Listing, pagination, request, **params):
        offset = (pagination.page - 1) * pagination.page_size
        rows = list(listing.queryset[offset : offset + pagination.page_size])
        count = listing.queryset.count() if rows or offset else 0
        journal_event(
            request.auth,
            Action.LIST_VIEWED,
            target_type=listing.queryset.model._meta.label_lower,
            target_ids=[row.pk for row in rows],
            cell=listing.cell,
        )
        return {
            "items": [listing.serialize(row) for row in rows],
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
