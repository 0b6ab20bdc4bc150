"""Answering ordering and matching questions as a person does: arrow buttons, touch drags, taps."""


def order_ids(page) -> list[str]:
    """The item ids of the ordering list, top to bottom."""
    return page.locator(".sortable-item").evaluate_all("items => items.map(i => i.dataset.id)")


def order_by_keyboard(page, wanted: list[str]) -> None:
    """Put the items in the wanted order with the up buttons, using only the keyboard."""
    for place, item_id in enumerate(wanted):
        while order_ids(page).index(item_id) > place:
            button = page.locator(f".sortable-item[data-id='{item_id}'] [data-move='up']")
            button.focus()
            page.keyboard.press("Enter")


def touch_drag(page, source, target) -> None:
    """Drag `source` onto the upper half of `target` with a finger (Chrome's touch events)."""
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] * 0.25
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    steps = 12
    for step in range(1, steps + 1):
        y = y0 + (y1 - y0) * step / steps
        x = x0 + (x1 - x0) * step / steps
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
        page.wait_for_timeout(30)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def match_by_taps(page, payload: dict, raw: dict) -> None:
    """Tap each left item, then its partner on the right."""
    for left, right in raw.items():
        page.locator(f".match-left .match-item[data-for='match-{left}']").click()
        page.locator(f".match-right .match-item[data-id='{right}']").click()
