"""Is an uploaded file what its name says? Checked by opening it with the library made for the
format (the first bytes alone let a `%PDF` + `MZ` polyglot or a bare zip renamed .docx through).

- pdf: pypdf reads its cross-reference table and at least one page;
- docx / xlsx: python-docx / openpyxl open it as that kind of Office file;
- doc / xls (legacy Office): olefile finds the compound file's Word or Excel stream;
- jpg / png: Pillow decodes the whole image and it is of the declared format.
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
