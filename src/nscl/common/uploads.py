"""Is an uploaded file what its name says? Checked by opening it with the library made for the
format (the first bytes alone let a `%PDF` + `MZ` polyglot or a bare zip renamed .docx through).

- pdf: pypdf reads its cross-reference table and at least one page;
- docx / xlsx: python-docx / openpyxl open it as that kind of Office file;
- doc / xls (legacy Office): olefile finds the compound file's Word or Excel stream;
- jpg / png: Pillow decodes the whole image and it is of the declared format.

A zip-based Office file (.docx, .xlsx) is first held to the configured limits of what it unpacks
to (`check_office_zip`, reading only the zip's directory): every upload path calls it before a
library opens the file, so a decompression bomb is refused in milliseconds.
"""
from __future__ import annotations

import io
import os
import warnings

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


class NotWhatItSays(ValueError):
    pass


class UnsafeOfficeFile(ValueError):
    """A zip-based Office file over NSCL_OFFICE_MAX_UNCOMPRESSED_BYTES / NSCL_OFFICE_MAX_ENTRIES;
    its text is the message for the user."""


def office_limits() -> dict:
    """The configured limits as the keyword arguments of `productivity.tables.read_table` and
    `peek_table`, which check them themselves (a pure library reads no settings)."""
    return {"max_unzipped_bytes": settings.NSCL_OFFICE_MAX_UNCOMPRESSED_BYTES,
            "max_zip_entries": settings.NSCL_OFFICE_MAX_ENTRIES}


def check_office_zip(source, name: str = "") -> None:
    """Raise UnsafeOfficeFile when the zip `source` (bytes, a path or a seekable file, such as an
    upload; its position is kept) holds more entries or unpacks to more bytes than the settings
    allow. Call it before opening any .xlsx/.docx a user sent; a file that is no zip passes (the
    format's own library refuses it)."""
    from nscl.productivity.tables import ZipLimitError, check_zip

    limits = office_limits()
    try:
        check_zip(source, limits["max_unzipped_bytes"], limits["max_zip_entries"])
    except ZipLimitError as e:
        from .formatting import fmt_num

        shown = f"“{os.path.basename(name)}” " if name else ""
        if e.what == "bytes":
            text = _("Tệp %(name)skhi giải nén lớn tới %(size)s MB, vượt giới hạn %(limit)s MB (có thể là “bom giải "
                     "nén”): hệ thống không mở tệp này.") % {
                "name": shown, "size": fmt_num(round(e.found / 1048576)), "limit": fmt_num(round(e.limit / 1048576))}
        else:
            text = _("Tệp %(name)schứa %(n)s thành phần nén, vượt giới hạn %(limit)s: hệ thống không mở tệp này.") % {
                "name": shown, "n": fmt_num(e.found), "limit": fmt_num(e.limit)}
        raise UnsafeOfficeFile(text) from None


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

    check_office_zip(data)
    docx.Document(io.BytesIO(data))


def _xlsx(data: bytes):
    from openpyxl import load_workbook

    check_office_zip(data)
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


def check_evidence_file(f):
    """The one rule for an attached evidence file (registers, dossiers): an allowed extension, within
    the size limit, and content that opens as that kind; a Vietnamese ValidationError otherwise."""
    ext = os.path.splitext(f.name)[1].lower().lstrip(".")
    allowed = settings.NSCL_EVIDENCE_EXTENSIONS
    if ext not in allowed:
        raise forms.ValidationError(_("Loại tệp “.%(ext)s” không được phép. Chỉ nhận: %(allowed)s.")
                                    % {"ext": ext, "allowed": ", ".join(allowed)})
    limit = settings.NSCL_EVIDENCE_MAX_BYTES
    if f.size > limit:
        raise forms.ValidationError(_("Tệp quá lớn (%(size).1f MB); giới hạn %(limit).0f MB.")
                                    % {"size": f.size / 1048576, "limit": limit / 1048576})
    data = f.read()
    f.seek(0)
    if ext in ("docx", "xlsx"):
        try:
            check_office_zip(data, f.name)
        except UnsafeOfficeFile as e:
            raise forms.ValidationError(str(e)) from None
    if not matches_extension(data, ext):
        raise forms.ValidationError(_("Nội dung tệp không khớp với phần mở rộng “.%(ext)s”.") % {"ext": ext})
    return f


def delete_file_on_commit(fieldfile) -> None:
    """A record's stored file goes once its deletion is committed (a rolled-back deletion keeps it):
    evidence of a deleted record must not stay on disk, readable by nobody and counted by no one.
    Connect it from the model's module: `post_delete` receiver calling it with `instance.file`."""
    from django.db import transaction

    name, storage = fieldfile.name, fieldfile.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
