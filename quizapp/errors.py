"""The one exception type services raise when they refuse an operation.

A service says *why* with a code ("attempts_used_up") and the values a message
needs (``limit=3``); it never picks words or an HTTP status. Each area turns
codes into translated text in one place, and the view or the API chooses the
status. ``field`` names the form field a refusal belongs to, where there is one.
"""


class ServiceError(Exception):
    """A refused operation: a code, optionally the field it concerns, and message parameters."""

    def __init__(self, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, field={self.field!r}, params={self.params!r})"
