import pytest
from django.urls import reverse

from cellule.journal.models import AuditEvent
from tests.access.matrix import CHARTER, LOGIN, cases
from tests.conftest import verified_client


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.route.name}-{c.actor}")
def test_route_answers_each_actor_as_the_matrix_says(case, world, client):
    route = case.route
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    user = world.actors[case.actor]
    http = verified_client(user) if user else client

    before = AuditEvent.objects.filter(actor_id=user.pk).count() if user else 0
    data = route.data(world) if route.data else {}
    response = getattr(http, route.method)(url, data) if route.method == "post" else http.get(url)

    if case.expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    elif case.expected == CHARTER:
        assert response.status_code == 302
        assert "/charte/" in response.url
    else:
        assert response.status_code == case.expected, f"{route.name} as {case.actor}: {route.note}"

    if route.personal and response.status_code == 200:
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert AuditEvent.objects.filter(actor_id=user.pk).count() > before, (
            f"{route.name}: read not journaled"
        )
