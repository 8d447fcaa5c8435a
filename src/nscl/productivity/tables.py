"""The tables users bring (CSV, Excel, Parquet), read one way everywhere, and units named in messages."""
from __future__ import annotations

import csv
import io
import os
import struct
import zipfile

import pandas as pd

# A zip-based table (.xlsx) is refused before it is opened when its directory says it unpacks to
# more than this or holds more entries: a decompression bomb (1.9 MB unpacking to gigabytes) would
# otherwise cost minutes and gigabytes. Python's zipfile stops an entry at its declared size (and
# then fails its CRC), so the declared sizes bound the work. The Django side passes its settings.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an Excel sheet of about 700,000 rows × 6 numbers
MAX_ZIP_ENTRIES = 10_000


class ZipLimitError(ValueError):
    """A zip-based file over a limit: `what` is "bytes" or "entries", `found` and `limit` the numbers."""

    def __init__(self, what: str, found: int, limit: int):
        self.what, self.found, self.limit = what, found, limit

        def num(v):
            return f"{v:,.0f}".replace(",", ".")
        if what == "bytes":
            text = (f"Tệp khi giải nén lớn tới {num(found / 1048576)} MB, vượt giới hạn {num(limit / 1048576)} MB "
                    "(có thể là “bom giải nén”): không mở tệp này.")
        else:
            text = f"Tệp chứa {num(found)} thành phần nén, vượt giới hạn {num(limit)}: không mở tệp này."
        super().__init__(text)


def _end_of_directory(f, size: int) -> tuple[int, int] | None:
    """(entries, directory bytes) from a zip's end record (Zip64 too), or None when it is no zip:
    read before the directory itself, so a file claiming 100,000 entries is refused in microseconds."""
    tail_len = min(size, 22 + 65535)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, cd_size = struct.unpack("<HI", tail[at + 10:at + 16])
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        (z64_at,) = struct.unpack("<Q", tail[at - 12:at - 4])
        f.seek(z64_at)
        record = f.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


def check_zip(source, max_bytes: int = MAX_UNZIPPED_BYTES, max_entries: int = MAX_ZIP_ENTRIES) -> None:
    """Raise :class:`ZipLimitError` when the zip `source` (a path, bytes or a seekable binary file;
    its position is kept) has more than `max_entries` entries or unpacks to more than `max_bytes`.
    Only the zip's directory is read. A file that is no zip passes: its own reader refuses it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return check_zip(f, max_bytes, max_entries)
    start = source.tell()
    try:
        source.seek(0, io.SEEK_END)
        end = _end_of_directory(source, source.tell())
        if end is None:
            return
        entries, cd_size = end
        # reading the directory costs in proportion to its size: one larger than `max_entries`
        # entries with names of up to 255 bytes would take (an end record understating its count)
        # is refused by that count too
        entries = max(entries, cd_size // (46 + 255))
        if entries > max_entries:
            raise ZipLimitError("entries", entries, max_entries)
        source.seek(0)
        try:
            infos = zipfile.ZipFile(source).infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
            return
        if len(infos) > max_entries:
            raise ZipLimitError("entries", len(infos), max_entries)
        total = sum(i.file_size for i in infos)
        if total > max_bytes:
            raise ZipLimitError("bytes", total, max_bytes)
    finally:
        source.seek(start)


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


def read_table(source, name: str | None = None, columns=None, categories=(), *,
               max_unzipped_bytes: int = MAX_UNZIPPED_BYTES, max_zip_entries: int = MAX_ZIP_ENTRIES) -> pd.DataFrame:
    """A DataFrame from a path or an open binary file; `name` gives the format for a file object.
    `columns`: read only these (those the file has; the others are left for the caller to name,
    with every column of the file in ``attrs["source_columns"]``); `categories`: columns kept as
    categories (compact; in a CSV read as text, so "01" stays "01"). An Excel file over the zip
    limits raises :class:`ZipLimitError` before it is opened. Parser errors propagate: the caller
    words them for its users."""
    kind = (name or str(source)).lower()
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if kind.endswith((".xlsx", ".xlsm")):
        check_zip(source, max_unzipped_bytes, max_zip_entries)
    header = None
    if kind.endswith(".parquet"):
        if columns is not None:
            import pyarrow.parquet as pq

            header = [str(c) for c in pq.ParquetFile(source).schema_arrow.names]
            if hasattr(source, "seek"):
                source.seek(0)
        data = pd.read_parquet(source, columns=None if header is None else [c for c in header if c in columns])
    elif kind.endswith((".xlsx", ".xlsm")):
        data = pd.read_excel(source, dtype={c: str for c in categories} or None)
        if columns is not None:
            header = [str(c) for c in data.columns]
            data = data[[c for c in data.columns if str(c) in columns]]
    else:
        sep = _delimiter(source)
        if columns is not None:
            header = [str(c) for c in pd.read_csv(source, sep=sep, nrows=0).columns]
            if hasattr(source, "seek"):
                source.seek(0)
        wanted = None if header is None else [c for c in header if c in columns]
        data = pd.read_csv(source, sep=sep, usecols=wanted,
                           dtype={c: str for c in categories if wanted is None or c in wanted} or None)
    for c in categories:
        if c in data.columns and not isinstance(data[c].dtype, pd.CategoricalDtype):
            data[c] = data[c].astype("category")
    if header is not None:
        data.attrs["source_columns"] = header
    return data


def peek_table(source, name: str | None = None, sample_rows: int = 200, *,
               max_unzipped_bytes: int = MAX_UNZIPPED_BYTES, max_zip_entries: int = MAX_ZIP_ENTRIES
               ) -> tuple[list[str], int]:
    """The column names and the number of data rows of a table, without parsing all of it: the
    header and the first `sample_rows` rows are parsed (so a file that is not a table fails here);
    rows are counted from Parquet's metadata, Excel's rows as streamed (after the zip limits are
    checked: :class:`ZipLimitError`), or a CSV's line ends (a CSV with line breaks inside quoted
    cells is counted a little high until the whole file is read).
    `source` is a path or an open binary file. Parser errors propagate."""
    kind = (name or str(source)).lower()
    if kind.endswith(".parquet"):
        import pyarrow.parquet as pq

        f = pq.ParquetFile(source)
        return [str(c) for c in f.schema_arrow.names], int(f.metadata.num_rows)
    if kind.endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        if isinstance(source, bytes):
            source = io.BytesIO(source)
        check_zip(source, max_unzipped_bytes, max_zip_entries)
        wb = load_workbook(source, read_only=True, data_only=True)
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                raise ValueError("empty sheet")
            n = sum(1 for r in rows if any(v is not None for v in r))
        finally:
            wb.close()
        return [str(c) for c in header if c is not None], n
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    sep = _delimiter(source)
    if isinstance(source, (str, os.PathLike)):
        head = pd.read_csv(source, sep=sep, nrows=sample_rows)
        with open(source, "rb") as f:
            lines, last = _count_lines(f)
    else:
        head = pd.read_csv(source, sep=sep, nrows=sample_rows)
        source.seek(0)
        lines, last = _count_lines(source)
        source.seek(0)
    n = lines + (1 if last not in (b"", b"\n") else 0) - 1  # a last line without a line end; less the header
    return [str(c) for c in head.columns], max(n, len(head))


def head_table(source, name: str | None = None, rows: int = 200, *,
               max_unzipped_bytes: int = MAX_UNZIPPED_BYTES, max_zip_entries: int = MAX_ZIP_ENTRIES) -> pd.DataFrame:
    """The first `rows` data rows of a table, without reading the rest: what its values look like
    (a mapping form's hints) at the cost of a glance, whatever the file's size. Parquet: the first
    batch; Excel: the rows streamed (zip limits checked first); CSV: the first lines."""
    kind = (name or str(source)).lower()
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if kind.endswith(".parquet"):
        import pyarrow.parquet as pq

        batch = next(pq.ParquetFile(source).iter_batches(batch_size=rows), None)
        return pd.DataFrame() if batch is None else batch.to_pandas()
    if kind.endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        check_zip(source, max_unzipped_bytes, max_zip_entries)
        wb = load_workbook(source, read_only=True, data_only=True)
        try:
            it = wb.worksheets[0].iter_rows(values_only=True)
            header = [str(c) for c in next(it, None) or ()]
            body = [(list(r) + [None] * len(header))[:len(header)] for _, r in zip(range(rows), it)]
        finally:
            wb.close()
        return pd.DataFrame(body, columns=header)
    return pd.read_csv(source, sep=_delimiter(source), nrows=rows)


def _count_lines(f, block: int = 1 << 20) -> tuple[int, bytes]:
    n, last = 0, b""
    while chunk := f.read(block):
        n += chunk.count(b"\n")
        last = chunk[-1:]
    return n, last


def unit_list(ids: pd.Series, limit: int = 5) -> str:
    """Identifiers for a message: '10007', not '10007.0'; at most `limit`, then how many more."""
    uniq = pd.unique(ids)
    shown = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in uniq[:limit]]
    more = len(uniq) - limit
    return ", ".join(shown) + (f" và {more} đơn vị khác" if more > 0 else "")


# ----------------------------------------------------------------------------------------------
# Guessing which column plays which role from its name

ROLE_NAMES = {
    "id": ("id", "firm", "firm_id", "firmid", "mst", "ma_dn", "madn", "ma_doanh_nghiep", "ma_so_thue", "doanh_nghiep",
           "unit", "unit_id", "ma_don_vi"),
    "time": ("year", "nam", "time", "t", "period"),
    "output": ("y", "output", "va", "value_added", "valueadded", "san_luong", "gia_tri_tang_them", "gtgt"),
    "free": ("l", "labour", "labor", "lao_dong", "so_lao_dong", "employment", "emp", "workers"),
    "state": ("k", "capital", "von", "tai_san_co_dinh"),
    "materials": ("m", "materials", "material", "nguyen_lieu", "nguyen_vat_lieu", "intermediate", "intermediates",
                  "chi_phi_trung_gian"),
    "investment": ("i", "investment", "inv", "dau_tu", "von_dau_tu"),
    "outcome": ("outcome", "ket_qua", "tfp", "log_tfp", "ln_tfp", "nang_suat", "productivity"),
    "first_treated": ("first_treated", "first_treat", "first_support", "first_supported", "nam_ho_tro",
                      "nam_ho_tro_dau", "nam_ho_tro_dau_tien", "nam_duoc_ho_tro", "gvar", "g"),
}
LOG_PREFIXES = ("ln_", "log_")


def normalise_name(name) -> str:
    """Lower case, no diacritics (đ → d), words joined by "_": "Năm" → "nam", "Mã DN" → "ma_dn"."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", str(name).strip().lower().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def guess_roles(columns) -> dict:
    """The first column whose name (normalised; a ln_/log_ prefix allowed) is a known name of
    each role in :data:`ROLE_NAMES`; roles with no such column are left out."""
    found = {}
    for role, names in ROLE_NAMES.items():
        for col in columns:
            n = normalise_name(col)
            bare = next((n[len(p):] for p in LOG_PREFIXES if n.startswith(p)), n)
            if n in names or bare in names:
                found[role] = col
                break
    return found
