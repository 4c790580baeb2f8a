"""Text for cells of a CSV file that people open in a spreadsheet program."""

from __future__ import annotations

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (CSV injection): such cells get a leading apostrophe and are shown as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``; anything else is unchanged."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
