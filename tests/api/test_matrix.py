from urllib.parse import urlencode

import pytest

from cellule.journal.models import AuditEvent
from tests.access.matrix import ACTORS
from tests.api.conftest import ApiClient, token_for
from tests.api.matrix import cases, world_api


@pytest.mark.parametrize(
    "case", cases(), ids=lambda c: f"{c.operation.method}-{c.operation.path}-{c.side}"
)
def test_operation_answers_each_actor_as_the_matrix_says(case, world):
    operation = case.operation
    objects = world_api(world)[case.side]
    url = operation.url(objects)
    wrong = []
    for actor in ACTORS:
        user = world.actors[actor]
        client = ApiClient(token_for(user) if user else None)
        before = AuditEvent.objects.filter(actor_id=user.pk).count() if user else 0
        query = operation.query(objects) if operation.query else {}
        if operation.method == "post":
            url_with_query = url + ("?" + urlencode(query) if query else "")
            body = operation.body(world, case.side) if operation.body else {}
            response = client.post(url_with_query, body)
        else:
            response = client.get(url, query)
        expected = case.expected[actor]
        if response.status_code != expected:
            wrong.append(f"{actor}: {response.status_code} au lieu de {expected}")
            continue
        payload = response.json()
        if expected >= 400:
            assert set(payload) == {"detail", "code", "errors"}, (actor, payload)
        if operation.personal and expected == 200:
            after = AuditEvent.objects.filter(actor_id=user.pk).count()
            assert after > before, f"{operation.path} as {actor}: read not journaled"
    assert wrong == [], f"{operation.method.upper()} {operation.path} ({case.side}) : {wrong}"
