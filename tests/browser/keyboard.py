"""Driving a page with the keyboard only, and checking that the focus is always visible."""

# The focus ring may be drawn on the element, or on a DSFR box around it (« fr-enlarge-link »
# draws it on a pseudo-element covering the card or the brand block).
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const drawn = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  const ring = (node) => drawn(getComputedStyle(node))
    || drawn(getComputedStyle(node, "::before")) || drawn(getComputedStyle(node, "::after"));
  let visible = ring(el);
  for (let node = el.parentElement, depth = 0; !visible && node && depth < 4;
       node = node.parentElement, depth++) {
    visible = ring(node);
  }
  return {id: el.id, name: el.getAttribute("name"), tag: el.tagName,
          text: (el.innerText || el.value || "").slice(0, 60), visible: visible};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUS_STYLE)


def tab_to(page, matches, *, limit: int = 120) -> dict:
    """Presses Tab until the focused element satisfies ``matches(info)``; every element met on
    the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None:
            continue
        assert info["visible"], f"focus invisible sur {info}"
        if matches(info):
            return info
    raise AssertionError("élément jamais atteint au clavier")


def by_id(element_id: str):
    return lambda info: info["id"] == element_id


def by_text(text: str):
    return lambda info: text in (info["text"] or "")


def date_keys(page, day) -> str:
    """The digits to type into a date field for ``day``: Chromium orders the field's segments by
    the browser's own locale (not the page's), so the order is read from a probe field."""
    probe = page.context.new_page()
    try:
        probe.set_content('<input type="date" id="probe">')
        probe.focus("#probe")
        probe.keyboard.type("02012003")
        month_first = probe.input_value("#probe") == "2003-02-01"
    finally:
        probe.close()
    return day.strftime("%m%d%Y" if month_first else "%d%m%Y")
