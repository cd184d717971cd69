"""The load generator: virtual users over plain HTTP on the loopback, standard library only.

Each virtual user is a thread with its own account's session, requesting one page again and
again with no think time (a closed loop: the server is kept saturated, which is what a
throughput comparison with the floor page needs). gunicorn's sync workers close the connection
after each response, so each request opens its own; on the loopback that costs little.

A page is a path (GET, 200 expected) or a ``Target``: a form posted again and again (a write),
with the CSRF token the form's page gave once, whose success is the redirect the view makes
after the service succeeded (a form shown again with its errors, 200, is a failure).

Production settings give the cookies the ``__Host-`` prefix and the Secure flag. A browser would
not send them over plain HTTP; this client keeps its own cookie jar and sends them back anyway,
so the server runs with its production cookie settings unchanged.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

QUERIES_HEADER = "X-Bench-Queries"
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoginError(Exception):
    pass


def percentile(values, percent: float) -> float:
    """Nearest-rank percentile (the smallest value with at least ``percent`` % at or below it)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class Client:
    """One virtual user: a cookie jar and plain-HTTP requests to one server."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "cellule-bench"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.getheaders(), raw.read())
        finally:
            connection.close()
        self._remember(response)
        return response

    def _remember(self, response: Response) -> None:
        for key, value in response.headers:
            if key.lower() != "set-cookie":
                continue
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] in {"0", 0} or (not morsel.value and morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def form_token(self, path: str) -> str:
        """The CSRF token of the form on the page at ``path`` (valid for this session's cookie)."""
        page = self.get(path)
        match = _CSRF_INPUT.search(page.body)
        if page.status != 200 or match is None:
            raise LoginError(f"GET {path} : {page.status}, pas de formulaire")
        return match[1].decode()

    def post_form(self, path: str, form: dict) -> Response:
        """POST a form of the page at ``path``, with the CSRF token that page carries."""
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": self.form_token(path)})


@dataclass(frozen=True)
class Target:
    """What a virtual user requests again and again, and what a success is.

    ``form``: for a POST, a function giving the fields of each submission (names vary: no two
    requests write the same thing); ``token``: the CSRF token, fetched once from the form's page;
    ``location``: where the view redirects after a success (a prefix); ``discard``: cookies
    dropped after a success — the confirmation the view leaves for the next page (« messages »):
    a browser shows it on the page it is redirected to; left in the jar, the unread messages
    pile up in the cookie, then in the session, and every write saves the session once more.
    """

    path: str
    method: str = "GET"
    form: Callable[[], dict] | None = None
    token: str = ""
    expect: int = 200
    location: str = ""
    discard: tuple[str, ...] = ()

    def send(self, client: Client) -> Response:
        if self.method == "GET":
            return client.get(self.path)
        fields = {**(self.form() if self.form else {}), "csrfmiddlewaretoken": self.token}
        return client.request(self.method, self.path, fields)

    def outcome(self, response: Response) -> str | None:
        """None for a success, else what went wrong (a status, and where it redirects)."""
        if response.status != self.expect:
            where = response.header("Location")
            return f"{response.status} → {where}" if where else str(response.status)
        if self.location and not (response.header("Location") or "").startswith(self.location):
            return f"{response.status} → {response.header('Location')}"
        return None


def as_target(page: str | Target) -> Target:
    return page if isinstance(page, Target) else Target(page)


def login(base_url: str, email: str, password: str, totp_code) -> Client:
    """Log in with the password then the TOTP code (``totp_code()`` is called just before use)."""
    client = Client(base_url)
    response = client.post_form("/connexion/", {"username": email, "password": password})
    if response.status != 302:
        raise LoginError(f"{email} : mot de passe refusé ({response.status})")
    response = client.post_form("/connexion/code/", {"code": totp_code()})
    if response.status != 302:
        raise LoginError(f"{email} : code TOTP refusé ({response.status})")
    home = client.get("/")
    if home.status != 200:
        raise LoginError(f"{email} : tableau de bord inaccessible après connexion ({home.status})")
    return client


@dataclass
class PageResult:
    """What one page gave during the measured window."""

    duration_s: float
    latencies_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # exceptions, by message
    unexpected: Counter = field(default_factory=Counter)  # answers that are not the success

    def add(self, other: PageResult) -> PageResult:
        """Fold another measured slice of the same page into this one."""
        self.duration_s += other.duration_s
        self.latencies_ms += other.latencies_ms
        self.queries += other.queries
        self.statuses += other.statuses
        self.failures += other.failures
        self.unexpected += other.unexpected
        return self

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.failures.values())

    @property
    def errors(self) -> int:
        return sum(self.unexpected.values()) + sum(self.failures.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.duration_s if self.duration_s else 0.0

    def summary(self) -> dict:
        ordered_queries = sorted(self.queries)
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(percentile(self.latencies_ms, 50), 1),
            "p95_ms": round(percentile(self.latencies_ms, 95), 1),
            "p99_ms": round(percentile(self.latencies_ms, 99), 1),
            "queries": ordered_queries[len(ordered_queries) // 2] if ordered_queries else None,
            "queries_min": ordered_queries[0] if ordered_queries else None,
            "queries_max": ordered_queries[-1] if ordered_queries else None,
            "requests": len(self.latencies_ms),
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "failures": dict(self.failures.most_common(3)),
            "unexpected": dict(self.unexpected.most_common(3)),
        }


def drive(
    users: list[tuple[Client, str | Target]], *, seconds: float, warmup: float, think: float = 0.0
) -> PageResult:
    """Run every (client, page) as a virtual user for ``warmup`` + ``seconds``.

    Only requests that complete inside the measured window count; each virtual user finishes
    its last request and stops. ``think``: seconds a user waits between two requests (0: the
    server is kept saturated; more: latency at the load that many users really make).
    """
    start = time.perf_counter()
    window_start = start + warmup
    window_end = window_start + seconds
    result = PageResult(duration_s=seconds)
    lock = threading.Lock()

    def virtual_user(client: Client, page: str | Target) -> None:
        target = as_target(page)
        while True:
            began = time.perf_counter()
            if began >= window_end:
                return
            try:
                response = target.send(client)
            except Exception as exc:  # a refused or reset connection is an error, not a crash
                ended = time.perf_counter()
                if window_start <= ended < window_end:
                    with lock:
                        result.failures[f"{type(exc).__name__}: {exc}"[:120]] += 1
                time.sleep(0.05)
                continue
            ended = time.perf_counter()
            if think:
                time.sleep(think)
            failed = target.outcome(response)
            if failed is None:  # as a browser would, whether or not the answer is counted
                for name in target.discard:
                    client.cookies.pop(name, None)
            if not window_start <= ended < window_end:
                continue
            queries = response.header(QUERIES_HEADER)
            with lock:
                result.statuses[response.status] += 1
                if failed is None:
                    result.latencies_ms.append((ended - began) * 1000)
                else:
                    result.unexpected[failed[:120]] += 1
                if queries is not None:
                    result.queries.append(int(queries))

    threads = [threading.Thread(target=virtual_user, args=user, daemon=True) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result
