"""What every form of the app shares: the one whitespace filter for text input."""


def strip(value):
    """Trim surrounding whitespace from text input (other values pass unchanged)."""
    return value.strip() if isinstance(value, str) else value
