"""The tables users bring (CSV, Excel, Parquet), read one way everywhere, and units named in messages."""
from __future__ import annotations

import csv
import io
import os

import pandas as pd


def _delimiter(source) -> str:
    """Sniff the CSV delimiter from the start of the file, then let pandas' fast C parser read it
    (pandas' own sniffing needs the slow Python parser, too slow for a million-row panel)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            head = f.read(64 * 1024)
    else:
        head = source.read(64 * 1024)
        source.seek(0)
    text = head.decode("utf-8-sig", errors="replace")
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_table(source, name: str | None = None) -> pd.DataFrame:
    """A DataFrame from a path or an open binary file; `name` gives the format for a file object.
    Parser errors propagate: the caller words them for its users."""
    kind = (name or str(source)).lower()
    if kind.endswith(".parquet"):
        return pd.read_parquet(source)
    if kind.endswith((".xlsx", ".xlsm")):
        return pd.read_excel(source)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return pd.read_csv(source, sep=_delimiter(source))


def unit_list(ids: pd.Series, limit: int = 5) -> str:
    """Identifiers for a message: '10007', not '10007.0'; at most `limit`, then how many more."""
    uniq = pd.unique(ids)
    shown = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in uniq[:limit]]
    more = len(uniq) - limit
    return ", ".join(shown) + (f" và {more} đơn vị khác" if more > 0 else "")
