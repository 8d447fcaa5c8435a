"""`nscl backup` and `nscl restore`: one archive of the database and every media file, so a
province never improvises backups of its legal record (evidence, dossier attachments, photos).

A tar (optionally gzip): `database/db.sqlite3` (SQLite online backup API) or `database/db.pgdump`
(`pg_dump --format=custom`), `media/<path>` for every file under MEDIA_ROOT, then `manifest.json`
(last, when every checksum is known): format version, time, vendor, latest migration per app, row
counts of the dump's own snapshot, size and sha256 of the dump and of each file. The database is
copied before the files, so a file the snapshot refers to was on disk when the files were read.
Restore goes only into an empty database and media folder (nothing to overwrite, hence no --force).
Hooked into nscl.cli by `add_parsers(sub)` and `run(args, setup)`; uses Django settings and
django.db.connection, never the domain apps."""
from __future__ import annotations

import datetime
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

COMMANDS = ("backup", "restore")
FORMAT = "nscl-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
VENDOR_NAME = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
# the names `nscl backup` gives; --keep deletes only files named like this
ARCHIVE_NAME = re.compile(r"^nscl-backup-\d{8}T\d{6}Z\.tar(\.gz)?$")
CHUNK = 1 << 20
# an upload in progress (nscl.common.storage writes `.partial-<hex>`, then renames) or a restore's
TEMPORARY = re.compile(r"^\.partial-[0-9a-f]+$|^\..+\.restore-\w+$")


class BackupError(Exception):
    """A problem to tell the user (Vietnamese), then exit non-zero."""


def add_parsers(sub) -> None:
    b = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu và mọi tệp đính kèm vào một tệp lưu trữ (.tar)")
    b.add_argument("--output", metavar="PATH",
                   help="tệp lưu trữ, hoặc thư mục để đặt tên theo thời gian (mặc định: var/backups/)")
    b.add_argument("--gzip", action="store_true", help="nén gzip (.tar.gz); tự bật khi PATH kết thúc bằng .gz")
    b.add_argument("--keep", type=int, metavar="N",
                   help="sau khi sao lưu xong, chỉ giữ N bản nscl-backup-*.tar* mới nhất trong thư mục đó")
    b.add_argument("--verify", metavar="ARCHIVE", help="chỉ kiểm tra một bản sao lưu (mã kiểm tra, manifest)")
    r = sub.add_parser("restore", help="khôi phục một bản sao lưu vào cơ sở dữ liệu và thư mục tệp còn trống")
    r.add_argument("archive")


def run(args, setup) -> int:
    """Dispatch `backup` / `restore`; `setup()` starts Django (not needed by --verify)."""
    from django.db import DatabaseError

    try:
        if args.command == "backup" and args.verify:
            if args.output or args.keep is not None or args.gzip:
                raise BackupError("--verify không dùng cùng --output, --gzip hay --keep.")
            return _print_verify(Path(args.verify))
        if args.command == "backup" and args.keep is not None and args.keep < 1:
            raise BackupError("--keep phải là số nguyên từ 1 trở lên.")
        settings = setup()
        if args.command == "backup":
            return _print_backup(settings, args)
        return _print_restore(settings, Path(args.archive))
    except (BackupError, OSError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 1
    except DatabaseError as e:
        print(f"Lỗi cơ sở dữ liệu: {e}".strip(), file=sys.stderr)
        return 1


# ---------------------------------------------------------------- backup

def _print_backup(settings, args) -> int:
    path, manifest = create(settings, args.output, gzip=args.gzip)
    size = sum(f["size"] for f in manifest["media"])
    print(f"Đã sao lưu: {path} ({_size(path.stat().st_size)}) — {VENDOR_NAME[manifest['database']['vendor']]}, "
          f"{len(manifest['tables'])} bảng, {sum(manifest['tables'].values())} dòng; "
          f"{len(manifest['media'])} tệp ({_size(size)}).")
    if args.keep is not None:
        for old in prune(path.parent, args.keep):
            print(f"Đã xóa bản sao lưu cũ: {old}")
    return 0


def create(settings, output=None, gzip=False):
    """Write one archive; returns (path, manifest). Written under a temporary name and renamed when
    complete, so an interrupted backup never looks like a finished one."""
    from django.db import connection

    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"Chỉ sao lưu được SQLite hoặc PostgreSQL (cơ sở dữ liệu đang dùng: {vendor}).")
    path = _output_path(settings, output, gzip)
    gzip = gzip or path.name.endswith((".gz", ".tgz"))
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if path.resolve().is_relative_to(media_root):
        raise BackupError(f"Không đặt bản sao lưu trong thư mục tệp đính kèm {media_root}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".nscl-backup-") as tmp, \
                open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:  # hashes, sessions
            snapshot = _snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql
            dump, tables, migrations, version = snapshot(Path(tmp))
            with tarfile.open(fileobj=f, mode="w:gz" if gzip else "w", format=tarfile.PAX_FORMAT,
                              **({"compresslevel": 6} if gzip else {})) as tar:
                db_size, db_sha = _add_file(tar, DB_MEMBER[vendor], dump)
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION,
                    "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "nscl_version": _nscl_version(),
                    "database": {"vendor": vendor, "version": version, "member": DB_MEMBER[vendor],
                                 "size": db_size, "sha256": db_sha},
                    "migrations": migrations, "tables": tables, "media": _add_media(tar, media_root)}
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                _add(tar, MANIFEST, io.BytesIO(data), len(data), datetime.datetime.now().timestamp())
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path, manifest


def _add_media(tar, media_root: Path) -> list[dict]:
    media = []
    for rel, full in _media_files(media_root):
        try:
            size, sha = _add_file(tar, MEDIA_PREFIX + rel, full)
        except FileNotFoundError:  # deleted since the listing: no longer part of the record
            print(f"Cảnh báo: tệp {rel} vừa bị xóa, không có trong bản sao lưu.", file=sys.stderr)
            continue
        media.append({"path": rel, "size": size, "sha256": sha})
    return media


def _output_path(settings, output, gzip) -> Path:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = f"nscl-backup-{stamp}.tar" + (".gz" if gzip else "")
    if not output:
        return Path(settings.VAR_DIR) / "backups" / name
    path = Path(output)
    if path.is_dir() or output.endswith(os.sep):
        path = path / name
    if path.exists():
        raise BackupError(f"Tệp {path} đã có: không ghi đè.")
    return path


def _snapshot_sqlite(tmp: Path):
    """A consistent copy by the online backup API (one step: one read transaction), made a
    self-contained file (no WAL) so the archive holds exactly one database file."""
    from django.db import connection

    connection.ensure_connection()
    dump = tmp / "db.sqlite3"
    dst = sqlite3.connect(dump)
    try:
        connection.connection.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
    tables, rows = _sqlite_state(dump)
    return dump, tables, _latest_migrations(rows), sqlite3.sqlite_version


def _sqlite_state(path: Path, counts=True):
    """({table: rows}, [(app, migration)]) of a SQLite file, opened read-only (never creates it)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
        if not counts:
            return dict.fromkeys(names), []
        tables = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        rows = con.execute("SELECT app, name FROM django_migrations").fetchall() if "django_migrations" in tables else []
    finally:
        con.close()
    return tables, rows


def _latest_migrations(rows) -> dict:
    if not rows:
        raise BackupError("Cơ sở dữ liệu chưa được khởi tạo (không có bảng django_migrations): chạy nscl init trước.")
    return dict(sorted(rows))  # numbered names, sorted: each app's last (highest) is its latest


# tables and partitioned tables of the connection's schemas (partitions are counted in their parent)
_PG_TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (current_schemas(false))
ORDER BY 1, 2"""


def _pg_state(cur):
    cur.execute(_PG_TABLES)
    tables = {}
    for schema, name in cur.fetchall():
        cur.execute(f'SELECT count(*) FROM "{schema}"."{name}"')
        tables[name if schema == "public" else f"{schema}.{name}"] = cur.fetchone()[0]
    if "django_migrations" in tables:
        cur.execute("SELECT app, name FROM django_migrations")
    return tables, cur.fetchall() if "django_migrations" in tables else []


def _snapshot_postgresql(tmp: Path):
    """pg_dump of the snapshot a REPEATABLE READ transaction exports, and the row counts read in
    that same transaction: the counts in the manifest are those of the dump."""
    from django.db import connection, transaction

    pg_dump = _pg_tool("pg_dump")
    dump = tmp / "db.pgdump"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, version = cur.fetchone()
        tables, rows = _pg_state(cur)
        migrations = _latest_migrations(rows)
        _pg_run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}"])
    return dump, tables, migrations, version


def _pg_tool(name) -> str:
    """On PATH, else the newest of Debian's versioned client directories."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(re.search(r"/postgresql/(\d+)", p).group(1)), reverse=True)
    found = shutil.which(name) or next(iter(candidates), None)
    if found:
        return found
    raise BackupError(f"Không tìm thấy {name} (trên PATH hay trong /usr/lib/postgresql/*/bin): cài gói "
                      "postgresql-client cùng phiên bản với máy chủ PostgreSQL (Debian/Ubuntu: "
                      "apt-get install postgresql-client).")


def _pg_run(cmd):
    """Run pg_dump/pg_restore on the configured database; connection settings go by environment
    (PGHOST, PGPASSWORD, ...) so no password is on a command line."""
    from django.db import connection
    from django.db.backends.postgresql.client import DatabaseClient

    params = connection.settings_dict
    _args, env = DatabaseClient.settings_to_cmd_args_env(params, [])
    env = {**os.environ, **(env or {})}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if params.get(key):
            env[var] = str(params[key])
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-8:])
        raise BackupError(f"{Path(cmd[0]).name} thất bại (mã thoát {out.returncode}):\n{tail}")


def _media_files(root: Path):
    """(relative posix path, absolute path) of every regular file under root, sorted; symbolic
    links and special files are not the application's uploads and are reported, not followed;
    files still being written (an upload's or a restore's temporary name) are no record yet."""
    if not root.is_dir():
        return
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            full = Path(d) / name
            if TEMPORARY.match(name):
                continue
            if full.is_symlink() or not full.is_file():
                print(f"Cảnh báo: bỏ qua {full} (không phải tệp thường).", file=sys.stderr)
                continue
            yield full.relative_to(root).as_posix(), full


class _Hashing:
    """A reader that hashes what tarfile copies, so the checksum is that of the archived bytes."""

    def __init__(self, f):
        self.f, self.sha = f, hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.sha.update(data)
        return data


def _add_file(tar, name, path: Path):
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        return _add(tar, name, f, st.st_size, st.st_mtime)


def _add(tar, name, f, size, mtime):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    reader = _Hashing(f)
    tar.addfile(info, reader)
    return size, reader.sha.hexdigest()


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives named by `nscl backup` (the name carries the UTC
    time, so name order is age order); any other file in the folder is left alone."""
    archives = sorted((p for p in folder.iterdir() if p.is_file() and ARCHIVE_NAME.match(p.name)),
                      key=lambda p: p.name.split(".")[0], reverse=True)
    removed = archives[keep:]
    for p in removed:
        p.unlink()
    return removed


def _nscl_version():
    from importlib import metadata

    try:
        return metadata.version("nscl")
    except metadata.PackageNotFoundError:  # running from a checkout
        return None


def _size(n) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.1f} KB"


def _fsync_dir(path: Path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- verify

def _print_verify(path: Path) -> int:
    manifest, problems = verify(path)
    if problems:
        print("\n".join(f"{path}: {p}" for p in problems), file=sys.stderr)
        print(f"Lỗi: bản sao lưu {path} không dùng được ({len(problems)} lỗi).", file=sys.stderr)
        return 1
    db = manifest["database"]
    print(f"Bản sao lưu hợp lệ: {path} — tạo lúc {manifest['created']}, {VENDOR_NAME[db['vendor']]}, "
          f"{len(manifest['tables'])} bảng, {sum(manifest['tables'].values())} dòng, {len(manifest['media'])} tệp; "
          "mọi mã kiểm tra SHA-256 khớp.")
    return 0


def _member_name_problem(name: str):
    p = PurePosixPath(name)
    if not name or p.is_absolute() or ".." in p.parts or "\\" in name or name != p.as_posix():
        return f"tên tệp không an toàn trong bản lưu trữ: {name!r}"
    return None


def _read_members(path: Path):
    """One pass over the archive: {name: (size, sha256)} of every member and the manifest's bytes."""
    seen, manifest_bytes, problems = {}, None, []
    try:
        with tarfile.open(path, mode="r|*") as tar:
            for m in tar:
                bad = _member_name_problem(m.name)
                if bad:
                    problems.append(bad)
                    continue
                if not m.isfile():
                    problems.append(f"mục {m.name} không phải tệp thường")
                    continue
                if m.name in seen:
                    problems.append(f"tệp {m.name} xuất hiện hai lần trong bản lưu trữ")
                f, sha, size = tar.extractfile(m), hashlib.sha256(), 0
                if m.name == MANIFEST:
                    manifest_bytes = f.read()
                    f = io.BytesIO(manifest_bytes)
                while chunk := f.read(CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                seen[m.name] = (size, sha.hexdigest())
    except FileNotFoundError:
        raise BackupError(f"Không có tệp {path}.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        problems.append(f"bản lưu trữ bị hỏng hoặc bị cắt cụt, không đọc hết được ({e})")
    return seen, manifest_bytes, problems


def verify(path: Path):
    """Read the whole archive and check the manifest and every checksum; returns (manifest, problems)."""
    seen, raw, problems = _read_members(path)
    if raw is None:
        return None, problems + [f"thiếu {MANIFEST}: không phải bản sao lưu NSCL hoặc bản lưu trữ không đầy đủ"]
    try:
        manifest = json.loads(raw)
    except ValueError as e:
        return None, problems + [f"{MANIFEST} không đọc được ({e})"]
    shape = _manifest_shape_problems(manifest)
    if shape:
        return None, problems + shape
    db = manifest["database"]
    expected = {db["member"]: (db["size"], db["sha256"]),
                **{MEDIA_PREFIX + f["path"]: (f["size"], f["sha256"]) for f in manifest["media"]}}
    for name, (size, sha) in expected.items():
        if name not in seen:
            problems.append(f"tệp {name} có trong manifest nhưng không có trong bản lưu trữ")
        elif seen[name][0] != size:
            problems.append(f"tệp {name}: kích thước {seen[name][0]} byte, manifest ghi {size} byte")
        elif seen[name][1] != sha:
            problems.append(f"tệp {name}: mã kiểm tra SHA-256 không khớp (manifest {sha[:16]}…, "
                            f"trong bản lưu trữ {seen[name][1][:16]}…) — tệp đã bị thay đổi hoặc hỏng")
    for name in sorted(set(seen) - set(expected) - {MANIFEST}):
        problems.append(f"tệp {name} có trong bản lưu trữ nhưng không có trong manifest")
    return manifest, problems


def _manifest_shape_problems(m) -> list[str]:
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        return [f"{MANIFEST} không phải manifest của bản sao lưu NSCL"]
    if m.get("format_version") != FORMAT_VERSION:
        return [f"phiên bản định dạng {m.get('format_version')!r} không được hỗ trợ (phiên bản này đọc {FORMAT_VERSION})"]
    if problems := [f"{MANIFEST} thiếu trường {k}" for k in ("created", "database", "migrations", "tables", "media")
                    if k not in m]:
        return problems
    db = m["database"]
    if not isinstance(db, dict) or db.get("vendor") not in DB_MEMBER or db.get("member") != DB_MEMBER.get(db.get("vendor")) \
            or not isinstance(db.get("size"), int) or not _is_sha(db.get("sha256")):
        problems.append(f"{MANIFEST}: mục database không hợp lệ")
    if not isinstance(m["tables"], dict) or not all(isinstance(v, int) and v >= 0 for v in m["tables"].values()):
        problems.append(f"{MANIFEST}: số dòng các bảng không hợp lệ")
    if not isinstance(m["migrations"], dict) or not m["migrations"]:
        problems.append(f"{MANIFEST}: trạng thái migration không hợp lệ")
    if not isinstance(m["media"], list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and not _member_name_problem(MEDIA_PREFIX + f["path"])
            and isinstance(f.get("size"), int) and _is_sha(f.get("sha256")) for f in m["media"]):
        problems.append(f"{MANIFEST}: danh sách tệp không hợp lệ")
    return problems


def _is_sha(v) -> bool:
    return isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v) is not None  # lower-case hex, as written


# ---------------------------------------------------------------- restore

def _print_restore(settings, path: Path) -> int:
    manifest, media_count = restore(settings, path)
    print(f"Đã khôi phục {path}: {VENDOR_NAME[manifest['database']['vendor']]}, {len(manifest['tables'])} bảng "
          f"({sum(manifest['tables'].values())} dòng, khớp manifest từng bảng) và {media_count} tệp.")
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if newer := len(executor.migration_plan(executor.loader.graph.leaf_nodes())):
        print(f"Mã nguồn có {newer} migration mới hơn bản sao lưu: chạy nscl init để nâng cấp cơ sở dữ liệu.")
    return 0


def restore(settings, path: Path):
    """Everything that can refuse is checked before anything is written: the archive, the vendor,
    the migrations this code knows, an empty database and an empty media folder. Then the database
    (SQLite: one rename; PostgreSQL: pg_restore in one transaction), the files (temporary names,
    then rename), and the row counts."""
    from django.db import connection

    manifest, problems = verify(path)
    if problems:
        raise BackupError(f"bản sao lưu {path} không dùng được, không khôi phục gì:\n  " + "\n  ".join(problems))
    vendor, target = manifest["database"]["vendor"], connection.vendor
    if vendor != target:
        raise BackupError(f"Bản sao lưu là của {VENDOR_NAME[vendor]}, cơ sở dữ liệu đích là "
                          f"{VENDOR_NAME.get(target, target)}: không khôi phục chéo giữa hai loại cơ sở dữ liệu "
                          f"(đặt DATABASE_URL tới một cơ sở dữ liệu {VENDOR_NAME[vendor]} trống).")
    _check_known_migrations(manifest["migrations"])
    _check_empty_database(settings)
    media_root = Path(settings.MEDIA_ROOT)
    found = next((Path(d, n) for d, _, names in os.walk(media_root) for n in names), None)
    if found is not None:
        raise BackupError(f"Thư mục tệp đính kèm {media_root} không trống (ví dụ: {found}): chỉ khôi phục vào "
                          "thư mục trống. Không ghi gì.")
    expected = {MEDIA_PREFIX + f["path"]: f["sha256"] for f in manifest["media"]}
    db_member = manifest["database"]["member"]
    media_count = 0
    with tarfile.open(path, mode="r|*") as tar:
        for m in tar:
            if m.name == db_member:
                _restore_database(settings, tar.extractfile(m), manifest["database"]["sha256"], vendor)
            elif m.name in expected:
                _restore_file(tar.extractfile(m), media_root / m.name[len(MEDIA_PREFIX):], expected[m.name], m.mtime)
                media_count += 1
    _check_counts(settings, manifest["tables"])
    return manifest, media_count


def _check_known_migrations(latest: dict):
    """An archive from a newer NSCL (migrations this code does not have) would give a site whose
    tables the code does not understand."""
    from django.db.migrations.loader import MigrationLoader

    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{app}.{name}" for app, name in latest.items() if (app, name) not in disk]
    if unknown:
        raise BackupError("Bản sao lưu được tạo bởi phiên bản NSCL mới hơn (mã nguồn này không có migration "
                          f"{', '.join(unknown)}): cập nhật mã nguồn rồi khôi phục lại. Không ghi gì.")


def _check_empty_database(settings):
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        tables = list(_sqlite_state(name, counts=False)[0]) if name.exists() else []
        where = str(name)
    else:
        with connection.cursor() as cur:
            cur.execute("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', "
                        "'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY c.relkind = 'S', 1")
            tables = [r[0] for r in cur.fetchall()]
        where = f"PostgreSQL {connection.settings_dict['NAME']}"
    if tables:
        shown = ", ".join(tables[:5]) + (f" và {len(tables) - 5} đối tượng khác" if len(tables) > 5 else "")
        raise BackupError(f"Cơ sở dữ liệu đích ({where}) không trống: có {shown}. Chỉ khôi phục vào cơ sở dữ liệu "
                          "trống (chưa chạy nscl init); không ghi gì.")


def _copy_checked(src, dst, sha: str, name: str):
    h = hashlib.sha256()
    while chunk := src.read(CHUNK):
        h.update(chunk)
        dst.write(chunk)
    dst.flush()
    os.fsync(dst.fileno())
    if h.hexdigest() != sha:  # the archive changed since it was verified
        raise BackupError(f"tệp {name} trong bản lưu trữ không khớp mã kiểm tra SHA-256 khi đọc lại.")


def _restore_database(settings, src, sha: str, vendor: str):
    from django.db import connection

    if vendor == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.close()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-")
        try:
            with os.fdopen(fd, "wb") as f:
                _copy_checked(src, f, sha, DB_MEMBER[vendor])
            for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
                stale.unlink(missing_ok=True)  # of the empty database it replaces
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        _fsync_dir(target.parent)
        return
    pg_restore = _pg_tool("pg_restore")
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix=".nscl-restore-") as tmp:
        dump = Path(tmp) / "db.pgdump"
        with open(dump, "wb") as f:
            _copy_checked(src, f, sha, DB_MEMBER[vendor])
        connection.close()
        # one transaction: a failed restore leaves the database as empty as it was
        _pg_run([pg_restore, "--no-owner", "--exit-on-error", "--single-transaction", "--no-password",
                 f"--dbname={connection.settings_dict['NAME']}", str(dump)])


def _restore_file(src, dest: Path, sha: str, mtime):
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.restore-")
    try:
        with os.fdopen(fd, "wb") as f:
            _copy_checked(src, f, sha, dest.name)
        os.chmod(tmp, 0o644)
        os.utime(tmp, (mtime, mtime))
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _check_counts(settings, expected: dict):
    from django.db import connection

    if connection.vendor == "sqlite":
        actual, _ = _sqlite_state(Path(settings.DATABASES["default"]["NAME"]))
    else:
        with connection.cursor() as cur:
            actual, _ = _pg_state(cur)
    wrong = [f"{t}: {actual.get(t, 'không có')} (manifest {n})" for t, n in expected.items() if actual.get(t) != n]
    wrong += [f"{t}: {actual[t]} (không có trong manifest)" for t in actual if t not in expected]
    if wrong:
        raise BackupError("Đã khôi phục nhưng số dòng không khớp manifest:\n  " + "\n  ".join(wrong))
