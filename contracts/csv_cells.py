"""CSV cells that a spreadsheet will not run: every CSV export writes its cells through here.

Fan names and message texts come from OnlyFans and from fans: hostile. A cell that starts with
`=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip before reading
a formula) is read as a formula by Excel, LibreOffice and Google Sheets (`=HYPERLINK(…)`,
`=cmd|…`). As OWASP recommends, such a text cell gets a leading single quote, which makes the
spreadsheet show it as text; the `csv` module then quotes it as needed. Numbers stay numbers:
only strings can carry a formula. Full-width lookalikes (U+FF1D, U+FF0B, U+FF0D, U+FF20) are
neutralized too, since some spreadsheets normalize them to their ASCII forms.
"""

from collections.abc import Iterable
from typing import Any

FULL_WIDTH = ("\uff1d", "\uff0b", "\uff0d", "\uff20")  # full-width = + - @
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", *FULL_WIDTH)


def safe_cell(value: Any) -> Any:
    """`value` as it may go into a CSV cell: a text cell that could start a formula is
    prefixed with `'`; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
