"""The one JSON reader of request bodies: too deep or broken text is refused, not crashed on.

Flask's request.get_json() reads bodies through the app's JSON provider. This one refuses
(ValueError, which get_json turns into a 400, or None with silent=True):
- nesting deeper than MAX_DEPTH (a body of 100,000 brackets would exhaust the stack),
- lone UTF-16 surrogates ("\\ud800"), which no UTF-8 database or export can store.
"""

import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_value(value: Any) -> None:
    """Raise ValueError if the parsed JSON value nests too deep or holds a lone surrogate."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError("text with a lone surrogate")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        children = list(item.items()) if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, tuple):
                stack.extend((part, depth + 1) for part in child)
            else:
                stack.append((child, depth + 1))


class InputJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with the checks above on everything it reads."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; refuse (ValueError) what check_value refuses, and runaway nesting."""
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        check_value(value)
        return value
