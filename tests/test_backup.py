"""`nscl backup` / `nscl restore` on the database this run uses (SQLite, or PostgreSQL when
DATABASE_URL names one): a demo site with its media files is archived, verified, and restored into a
second empty site with the same rows in every table and the same bytes in every file; a changed byte
is caught by --verify naming the file; nothing is written into a target that is not empty or of the
other database vendor. Row counts and checksums are measured here, independently of nscl.backup."""
import ast
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest

from tests.deploy.server import Site

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
VENDOR = "postgresql" if POSTGRES else "sqlite"
# added beside the demo's photos and documents: a Vietnamese name, an empty file, a deep folder
EXTRA_MEDIA = {"evidence/2026/biên bản nghiệm thu số 1.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
               "evidence/empty.txt": b"",
               "dossiers/7/a/b/ảnh hiện trường.jpg": b"\xff\xd8\xff\xe0" + os.urandom(5000)}


def media_sums(site) -> dict:
    root = site.tmp / "var" / "media"
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".partial-")} \
        if root.exists() else {}


def table_counts(site) -> dict:
    """Rows of every table of the site's database (partitions counted in their parent)."""
    url = site.env["DATABASE_URL"]
    if POSTGRES:
        import psycopg

        with psycopg.connect(url) as conn:
            names = [r[0] for r in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition")]
            return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        return {}
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def query(site, sql) -> list:
    if POSTGRES:
        import psycopg

        with psycopg.connect(site.env["DATABASE_URL"]) as conn:
            return conn.execute(sql).fetchall()
    with sqlite3.connect(site.env["DATABASE_URL"].removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


def site_files(site) -> set:
    """Every file under the site's folder except the settings' static files: what a refused restore
    must not add to."""
    return {p.relative_to(site.tmp).as_posix() for p in site.tmp.rglob("*")
            if p.is_file() and "static" not in p.relative_to(site.tmp).parts}


@pytest.fixture
def empty_site(tmp_path_factory):
    sites = []

    def make():
        site = Site(tmp_path_factory.mktemp("target"))
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.close()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A demo site (init + demo: its practice photos and documents) with extra media files, and
    its archive."""
    site = Site(tmp_path_factory.mktemp("source")).setup()
    media = site.tmp / "var" / "media"
    for rel, data in EXTRA_MEDIA.items():
        (media / rel).parent.mkdir(parents=True, exist_ok=True)
        (media / rel).write_bytes(data)
    (media / "evidence" / ".partial-0f1e2d3c4b5a6978").write_bytes(b"half an upload")  # not yet a record
    archive = site.tmp / "archives" / "full.tar"
    archive.parent.mkdir()
    out = site.nscl("backup", "--output", str(archive))
    assert "Đã sao lưu" in out.stdout
    yield site, archive
    site.close()


def read_manifest(archive) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_the_archive_holds_the_database_and_every_media_file_with_checksums(source):
    site, archive = source
    sums = media_sums(site)
    assert sum(p.endswith(".png") for p in sums) >= 4 and sum(p.endswith(".docx") for p in sums) >= 4  # the demo's
    assert set(EXTRA_MEDIA) <= set(sums)
    assert (site.tmp / "var" / "media" / "evidence" / ".partial-0f1e2d3c4b5a6978").exists()
    manifest = read_manifest(archive)
    assert manifest["format"] == "nscl-backup" and manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == VENDOR
    assert {f["path"]: f["sha256"] for f in manifest["media"]} == sums  # without the upload in progress
    sizes = {f["path"]: f["size"] for f in manifest["media"]}
    assert sizes["evidence/empty.txt"] == 0 and sizes["evidence/2026/biên bản nghiệm thu số 1.pdf"] == 9 + 256 * 40
    counts = table_counts(site)
    assert manifest["tables"] == counts
    assert counts["practices_casefile"] == 8 and counts["enterprises_enterprise"] > 400
    assert "trace_event" in counts  # partitioned on PostgreSQL: counted once, in the parent
    applied = query(site, "SELECT app, name FROM django_migrations")
    assert manifest["migrations"] == {app: max(n for a, n in applied if a == app) for app, _ in applied}
    assert manifest["migrations"]["practices"] == "0001_initial"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        dump = tar.extractfile(manifest["database"]["member"]).read()
    assert names[0] == f"database/db.{'pgdump' if POSTGRES else 'sqlite3'}" and names[-1] == "manifest.json"
    assert hashlib.sha256(dump).hexdigest() == manifest["database"]["sha256"] and len(dump) == manifest["database"]["size"]
    assert dump.startswith(b"PGDMP" if POSTGRES else b"SQLite format 3\x00")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # password hashes and sessions inside
    out = site.nscl("backup", "--verify", str(archive))
    assert "Bản sao lưu hợp lệ" in out.stdout and f"{len(sums)} tệp" in out.stdout


def test_restore_into_an_empty_site_gives_the_same_rows_and_files_then_refuses_a_second_time(source, empty_site):
    site, archive = source
    target = empty_site()
    assert table_counts(target) == {} and media_sums(target) == {}
    out = target.nscl("restore", str(archive))
    assert "Đã khôi phục" in out.stdout and "khớp manifest" in out.stdout
    before = table_counts(site)
    assert table_counts(target) == before
    assert media_sums(target) == media_sums(site)
    assert target.nscl("init").returncode == 0  # the restored database is the application's: nothing to migrate
    assert table_counts(target)["practices_casefile"] == 8
    files, counts = media_sums(target), table_counts(target)
    again = target.nscl("restore", str(archive), check=False)
    assert again.returncode == 1
    assert "không trống" in again.stderr and "không ghi gì" in again.stderr
    assert table_counts(target) == counts and media_sums(target) == files


def _flip_byte(archive: Path, member: str, dest: Path):
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    data = bytearray(archive.read_bytes())
    data[offset + 7] ^= 0x01
    dest.write_bytes(bytes(data))


def test_one_changed_byte_in_a_media_file_fails_verify_naming_the_file(source, empty_site, tmp_path):
    site, archive = source
    member = "media/evidence/2026/biên bản nghiệm thu số 1.pdf"
    bad = tmp_path / "bad.tar"
    _flip_byte(archive, member, bad)
    out = site.nscl("backup", "--verify", str(bad), check=False)
    assert out.returncode == 1
    problems = [line for line in out.stderr.splitlines() if "SHA-256 không khớp" in line]
    assert len(problems) == 1 and member in problems[0]
    assert "không dùng được (1 lỗi)" in out.stderr
    target = empty_site()
    refused = target.nscl("restore", str(bad), check=False)
    assert refused.returncode == 1 and member in refused.stderr
    assert table_counts(target) == {} and site_files(target) == set()


def test_verify_names_a_missing_file_an_extra_one_and_a_truncated_archive(source, tmp_path):
    site, archive = source
    manifest = read_manifest(archive)
    dropped = "media/" + manifest["media"][0]["path"]
    edited = tmp_path / "edited.tar"
    with tarfile.open(archive) as src, tarfile.open(edited, "w", format=tarfile.PAX_FORMAT) as dst:
        for m in src:
            if m.name != dropped:
                dst.addfile(m, src.extractfile(m))
        extra = tarfile.TarInfo("media/smuggled.exe")
        extra.size = 3
        dst.addfile(extra, io.BytesIO(b"MZ!"))
    out = site.nscl("backup", "--verify", str(edited), check=False)
    assert out.returncode == 1
    assert f"tệp {dropped} có trong manifest nhưng không có trong bản lưu trữ" in out.stderr
    assert "tệp media/smuggled.exe có trong bản lưu trữ nhưng không có trong manifest" in out.stderr
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    out = site.nscl("backup", "--verify", str(cut), check=False)
    assert out.returncode == 1 and "bị cắt cụt" in out.stderr and "thiếu manifest.json" in out.stderr


def test_restore_refuses_a_media_folder_that_is_not_empty(source, empty_site):
    _, archive = source
    target = empty_site()
    stray = target.tmp / "var" / "media" / "old" / "note.txt"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"giu nguyen")
    out = target.nscl("restore", str(archive), check=False)
    assert out.returncode == 1
    assert "Thư mục tệp đính kèm" in out.stderr and "không trống" in out.stderr
    assert table_counts(target) == {}
    assert site_files(target) == {"var/media/old/note.txt"} and stray.read_bytes() == b"giu nguyen"


MEMBERS = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}


def relabel(archive: Path, dest: Path, manifest: dict, renames=None):
    """A copy of the archive with another manifest (and members renamed): checksums still right."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as dst:
        for m in src:
            f = src.extractfile(m)
            if m.name == "manifest.json":
                f = io.BytesIO(json.dumps(manifest).encode())
                m.size = len(f.getvalue())
            m.name = (renames or {}).get(m.name, m.name)
            dst.addfile(m, f)
    return dest


def test_restore_refuses_an_archive_of_the_other_database_vendor(source, empty_site, tmp_path):
    _, archive = source
    other = "sqlite" if POSTGRES else "postgresql"
    manifest = read_manifest(archive)
    manifest["database"].update(vendor=other, member=MEMBERS[other])
    relabelled = relabel(archive, tmp_path / "other.tar", manifest, {MEMBERS[VENDOR]: MEMBERS[other]})
    target = empty_site()
    assert target.nscl("backup", "--verify", str(relabelled)).returncode == 0
    out = target.nscl("restore", str(relabelled), check=False)
    assert out.returncode == 1 and "không khôi phục chéo" in out.stderr
    assert ("Bản sao lưu là của SQLite, cơ sở dữ liệu đích là PostgreSQL" if POSTGRES else
            "Bản sao lưu là của PostgreSQL, cơ sở dữ liệu đích là SQLite") in out.stderr
    assert table_counts(target) == {} and site_files(target) == set()


def test_restore_refuses_an_archive_from_a_newer_nscl(source, empty_site, tmp_path):
    """Migrations this code does not have: the restored site would not be one this code can run."""
    _, archive = source
    manifest = read_manifest(archive)
    manifest["migrations"]["practices"] = "0099_from_the_future"
    target = empty_site()
    out = target.nscl("restore", str(relabel(archive, tmp_path / "newer.tar", manifest)), check=False)
    assert out.returncode == 1 and "phiên bản NSCL mới hơn" in out.stderr and "practices.0099_from_the_future" in out.stderr
    assert table_counts(target) == {} and site_files(target) == set()


def test_backup_keep_deletes_only_the_oldest_archives_it_named(source):
    site, _ = source
    folder = site.tmp / "nightly"
    folder.mkdir()
    for name in ("nscl-backup-20200101T000000Z.tar", "nscl-backup-20210101T000000Z.tar.gz",
                 "nscl-backup-20220101T000000Z.tar", "notes.txt", "nscl-backup-manual.tar"):
        (folder / name).write_bytes(b"x")
    out = site.nscl("backup", "--output", f"{folder}/", "--gzip", "--keep", "2")
    assert "Đã xóa bản sao lưu cũ" in out.stdout
    left = sorted(p.name for p in folder.iterdir())
    new = [n for n in left if n.startswith("nscl-backup-2") and not n.startswith("nscl-backup-2022")]
    assert len(new) == 1 and new[0].endswith(".tar.gz")
    assert left == sorted([new[0], "nscl-backup-20220101T000000Z.tar", "notes.txt", "nscl-backup-manual.tar"])
    assert site.nscl("backup", "--verify", str(folder / new[0])).returncode == 0
    bad = site.nscl("backup", "--keep", "0", check=False)
    assert bad.returncode == 1 and "--keep phải là số nguyên từ 1 trở lên" in bad.stderr


def test_a_missing_pg_dump_is_named_with_the_package_to_install(monkeypatch):
    from nscl import backup

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    with pytest.raises(backup.BackupError, match="Không tìm thấy pg_dump.*postgresql-client"):
        backup._pg_tool("pg_dump")
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: ["/usr/lib/postgresql/13/bin/pg_dump",
                                                               "/usr/lib/postgresql/16/bin/pg_dump"])
    assert backup._pg_tool("pg_dump") == "/usr/lib/postgresql/16/bin/pg_dump"


def test_the_backup_module_imports_no_domain_app():
    """Wiring-level code beside cli.py: Django settings and the connection, never an app's models."""
    tree = ast.parse((ROOT / "src" / "nscl" / "backup.py").read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {("." * n.level) + (n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not [n for n in names if n.startswith(("nscl", "."))], names


def _unit(path) -> dict:
    return dict(line.split("=", 1) for line in (ROOT / path).read_text().splitlines()
                if "=" in line and not line.startswith("#"))


def test_the_nightly_unit_runs_as_the_service_with_its_settings_and_keeps_14():
    service, backup, timer = _unit("deploy/nscl.service"), _unit("deploy/nscl-backup.service"), _unit("deploy/nscl-backup.timer")
    for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile"):
        assert backup[key] == service[key]
    assert backup["Type"] == "oneshot"
    assert backup["ExecStart"] == "/srv/nscl/.venv/bin/nscl backup --gzip --keep 14"
    assert timer["Persistent"] == "true" and timer["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Unit"] == "nscl-backup.service"
