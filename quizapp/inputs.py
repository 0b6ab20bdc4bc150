"""Guards where input enters: ids in URLs and JSON bodies.

- Ids: the `int` converter of every route takes 1 to MAX_ID only, so a larger number in a
  URL is a 404 like any other missing row (the database's integers would overflow).
- JSON: Flask's request.get_json() reads bodies through the app's JSON provider. This one
  refuses (ValueError, which get_json turns into a 400, or None with silent=True)
  nesting deeper than MAX_DEPTH (100,000 brackets would exhaust the stack) and lone
  UTF-16 surrogates ("\\ud800"), which no UTF-8 database or export can store.
"""

import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

# Ids are 32-bit integers in the database; larger numbers name nothing.
MAX_ID = 2**31 - 1

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


class IdConverter(IntegerConverter):
    """The `int` URL converter, limited to what an id column holds (1 to MAX_ID)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def init_app(app: Flask) -> None:
    """Install the guards; call before any route is registered."""
    app.json = InputJSONProvider(app)
    app.url_map.converters["int"] = IdConverter
