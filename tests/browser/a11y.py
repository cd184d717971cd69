"""Accessibility checks in the browser (RGAA, built on WCAG 2.1 AA): axe-core, injected into the
page by the test. The axe-core bundled by axe-playwright-python is read from the installed
package (no network at run time)."""

from axe_playwright_python.sync_playwright import Axe

# The WCAG 2.0 / 2.1 A and AA rules, as the RGAA asks.
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}

_axe = Axe()


def violations(page) -> list[dict]:
    """The serious and critical violations on the page as it is now."""
    results = _axe.run(page, options=OPTIONS)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    found = violations(page)
    assert not found, f"{where or page.url}\n{describe(found)}"
