"""Is an uploaded file what its name says? Checked by opening it with the library made for the
format (the first bytes alone let a `%PDF` + `MZ` polyglot or a bare zip renamed .docx through).

- pdf: pypdf reads its cross-reference table and at least one page;
- docx / xlsx: python-docx / openpyxl open it as that kind of Office file;
- doc / xls (legacy Office): olefile finds the compound file's Word or Excel stream;
- jpg / png: Pillow decodes the whole image and it is of the declared format.
"""
from __future__ import annotations

import io
import warnings


class NotWhatItSays(ValueError):
    pass


def _pdf(data: bytes):
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-"):
        raise NotWhatItSays
    reader = PdfReader(io.BytesIO(data), strict=True)
    if len(reader.pages) < 1:
        raise NotWhatItSays
    reader.pages[0].extract_text()


def _docx(data: bytes):
    import docx

    docx.Document(io.BytesIO(data))


def _xlsx(data: bytes):
    from openpyxl import load_workbook

    load_workbook(io.BytesIO(data), read_only=True).close()


def _ole(stream_names):
    def check(data: bytes):
        import olefile

        if not olefile.isOleFile(data):
            raise NotWhatItSays
        with olefile.OleFileIO(data) as ole:
            if not any(ole.exists(name) for name in stream_names):
                raise NotWhatItSays
    return check


def _image(fmt):
    def check(data: bytes):
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            if im.format != fmt:
                raise NotWhatItSays
            im.load()  # decodes every pixel: a truncated or disguised file fails here
    return check


CHECKS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "doc": _ole(["WordDocument"]), "xls": _ole(["Workbook", "Book"]),
          "jpg": _image("JPEG"), "jpeg": _image("JPEG"), "png": _image("PNG")}


def matches_extension(data: bytes, ext: str) -> bool:
    """True when `data` opens as a file of kind `ext` (one of CHECKS)."""
    check = CHECKS.get(ext)
    if check is None:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(data)
    except Exception:  # noqa: BLE001 - whatever the parser says, the file is not of this kind
        return False
    return True
