"""CSV downloads that open safely by double-click in a spreadsheet: the one helper every export uses."""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# Text starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """The value, with a leading ' only when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A private CSV attachment in UTF-8 with a byte-order mark, so that Excel reads accents correctly."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return response
