"""The README documents every environment variable the code reads (issue 21 item 4: six were
documented nowhere), so a province configuring the system finds each one in one table."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READ = re.compile(r"""(?:environ(?:\.get)?\(\s*|environ\[\s*|getenv\(\s*|_list\(\s*|_flag\(\s*)["'](NSCL_[A-Z0-9_]+|DATABASE_URL)["']""")


def variables_read() -> set[str]:
    found = set()
    for path in (ROOT / "src" / "nscl").rglob("*.py"):
        found |= set(READ.findall(path.read_text("utf-8")))
    return found


def test_the_code_reads_the_variables_we_look_for():
    assert {"DATABASE_URL", "NSCL_SECRET_KEY", "NSCL_EMAIL_HOST", "NSCL_REPORTING_YEARS"} <= variables_read()


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme[readme.index("## Configuration (environment)"):readme.index("## Production deployment")]
    missing = sorted(v for v in variables_read() if f"`{v}`" not in table)
    assert missing == []
