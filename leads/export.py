"""Lead export as CSV (for spreadsheets) or JSON (for other programs)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from typing import Iterable, TextIO

from approdo.spreadsheet import neutralise

from .storage import LEAD_COLUMNS

# When and where first, then who, consent proof and campaign: the order a person reads a row.
COLUMNS: tuple[str, ...] = ("id", "received_at", "landing", *(c for c in LEAD_COLUMNS if c != "landing"),
                             "consent_confirmed_at", "consent_withdrawn_at")



def record(row: sqlite3.Row) -> dict[str, object]:
    """One lead as exported: marketing consent as a yes/no, everything else as stored.

    Marketing consent is "yes" only once confirmed by double opt-in and not withdrawn: a ticked
    box alone does not prove it (leads/optin.py).
    """
    data = {name: row[name] for name in COLUMNS}
    data["marketing_consent"] = bool(row["marketing_consent"] and row["consent_confirmed_at"]
                                     and not row["consent_withdrawn_at"])
    return data


def write_csv(rows: Iterable[sqlite3.Row], out: TextIO, delimiter: str = ",") -> int:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        data = record(row)
        data["marketing_consent"] = "si" if data["marketing_consent"] else "no"
        writer.writerow([neutralise(str(data[name])) for name in COLUMNS])
        count += 1
    return count


def write_json(rows: Iterable[sqlite3.Row], out: TextIO) -> int:
    records = [record(row) for row in rows]
    json.dump(records, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(records)


def render(rows: Iterable[sqlite3.Row], fmt: str, excel: bool = False) -> tuple[str, int]:
    """The whole export as text, and how many leads it holds.

    ``excel``: semicolons and a byte-order mark, which Excel set to Italian expects to open
    a UTF-8 CSV file with accents intact by double-click.
    """
    out = io.StringIO()
    if fmt == "json":
        count = write_json(rows, out)
    else:
        if excel:
            out.write("\ufeff")
        count = write_csv(rows, out, delimiter=";" if excel else ",")
    return out.getvalue(), count
