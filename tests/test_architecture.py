"""The architecture holds: the import contracts of .importlinter (a strict stack of apps, pure
libraries free of Django) are kept, and no module grows past 600 lines (docs/architecture.md)."""
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "nscl"
LINT = pathlib.Path(sys.executable).with_name("lint-imports")


def lint(src_dir: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", str(ROOT / ".importlinter")], cwd=src_dir.parent, text=True,
                          capture_output=True, env={"PYTHONPATH": str(src_dir.parent), "PATH": "/usr/bin:/bin"})


def test_import_contracts_are_kept():
    out = lint(SRC)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


def test_the_contracts_catch_an_upward_import_inside_a_function(tmp_path):
    """The check counts imports inside functions: a shared helper reaching up into an app, and the
    pure library importing Django, are both reported."""
    copy = tmp_path / "src" / "nscl"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.csv", "*.ttf", "*.mo"))
    with open(copy / "common" / "formatting.py", "a") as f:
        f.write("\n\ndef _sneaky():\n    from nscl.programme.models import Target\n    return Target\n")
    with open(copy / "productivity" / "tables.py", "a") as f:
        f.write("\n\ndef _impure():\n    import django\n    return django\n")
    out = lint(copy)
    assert out.returncode != 0
    assert "nscl.common.formatting -> nscl.programme.models" in out.stdout
    assert "nscl.productivity.tables -> django" in out.stdout


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if "migrations" not in p.parts
            for n in [len(p.read_text(encoding="utf-8").splitlines())] if n > 600}
    assert long == {}
