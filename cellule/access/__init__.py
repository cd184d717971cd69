"""THE place that decides who may see what (architecture §6).

- ``scopes``: which rows a user may see, used by every model's ``QuerySet.visible_to(user)``;
- ``abilities``: what a user may do to one object, used by ``obj.abilities(user)``;
- ``fetchers`` (re-exported here): scoped fetches for views and the API, 404 outside the scope.

Models import this package lazily (inside methods), so that it may import them at the top.
"""

from cellule.access.fetchers import (
    get_agenda_item,
    get_attendee,
    get_cell,
    get_invitation,
    get_legal_hold,
    get_measure,
    get_membership,
    get_own_membership,
    get_person,
    get_purge_certificate,
    get_rights_request,
    get_seance,
    get_signalement,
    get_situation,
    get_situation_to_transmit,
    get_transmission,
)

__all__ = [
    "get_agenda_item",
    "get_attendee",
    "get_cell",
    "get_invitation",
    "get_legal_hold",
    "get_measure",
    "get_membership",
    "get_own_membership",
    "get_person",
    "get_purge_certificate",
    "get_rights_request",
    "get_seance",
    "get_signalement",
    "get_situation",
    "get_situation_to_transmit",
    "get_transmission",
]
