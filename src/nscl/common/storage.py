"""Media files are written whole or not at all. Django's FileSystemStorage writes straight into the
final name, so a full disk (or a client gone mid-upload) leaves a half-written evidence file that a
record may later point to. Here the bytes go to a hidden temporary name in the same folder, are
flushed to disk, and only then renamed to the final name (atomic on one file system); on any error
the temporary file is removed and the error goes on (the server answers 507, nscl.common.errors)."""
from __future__ import annotations

import os
import secrets

from django.core.files import locks
from django.core.files.move import file_move_safe
from django.core.files.storage import FileSystemStorage

PARTIAL_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        tmp = os.path.join(directory, f"{PARTIAL_PREFIX}{secrets.token_hex(8)}")
        try:
            if hasattr(content, "temporary_file_path"):  # a large upload already on disk: copy it whole
                file_move_safe(content.temporary_file_path(), tmp)
            else:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
                with os.fdopen(fd, "wb") as f:
                    locks.lock(f, locks.LOCK_EX)
                    for chunk in content.chunks():
                        f.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                    f.flush()
                    os.fsync(f.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(tmp, self.file_permissions_mode)
            # the final name: a new one if another upload took it meanwhile (never overwrite)
            while True:
                try:
                    os.link(tmp, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
                except OSError:  # a file system without hard links: rename (the name was free just now)
                    os.replace(tmp, full_path)
                    break
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        return str(name).replace("\\", "/")
