"""What a process pays to start (issue 24): the command line imports nothing heavy until a command
needs it, firm productivity does not pull in scipy.stats (1.3 s of imports for one normal quantile),
and a Django process loads no chart library nor jsonschema's iri grammar before it draws or
validates. Each check runs in a fresh interpreter, as a user's command would."""
import subprocess
import sys

import pytest

# each interpreter gets its own (never opened) SQLite DATABASE_URL, whatever the pass: run once
pytestmark = pytest.mark.own_sqlite


def loaded_after(statement: str, modules: list[str], var_dir="/nonexistent") -> set:
    code = (f"import sys\n{statement}\n"
            f"print(','.join(m for m in {modules!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"DJANGO_SETTINGS_MODULE": "nscl.settings", "PATH": "/usr/bin:/bin",
                              "NSCL_VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{var_dir}/none.sqlite3",
                              "PYTHONPATH": ":".join(p for p in sys.path if p)})
    assert out.returncode == 0, out.stderr
    return set(filter(None, out.stdout.strip().split(",")))


def test_the_command_line_imports_neither_django_nor_pandas():
    assert loaded_after("import nscl.cli", ["django", "pandas", "numpy", "scipy"]) == set()


def test_firm_productivity_needs_no_scipy_stats():
    assert loaded_after("import nscl.productivity.firm", ["scipy.stats", "django"]) == set()


def test_a_django_process_with_every_view_loads_no_chart_library_nor_the_iri_grammar(tmp_path):
    loaded = loaded_after("import django\ndjango.setup()\nfrom django.urls import get_resolver\n"
                          "get_resolver().url_patterns", ["matplotlib", "rfc3987_syntax", "scipy.stats", "jsonschema"],
                          var_dir=tmp_path)
    assert loaded == {"jsonschema"}  # the EPCIS views validate with it; its iri grammar is not built
