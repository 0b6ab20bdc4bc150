"""Text bound for a spreadsheet cell (CSV, xlsx): defused so it is never run as a formula."""

# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> str:
    """Return the text, quoted with ' when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text
