"""VSIC 2018 and VSIC 2025 industry codes and the official 2018 → 2025 conversion table, read from
nscl/data/vsic (see its README). A code is always keyed by (version, code): 4663 is building
materials wholesale in 2018 and motorcycle wholesale in 2025. No Django."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

V2018, V2025 = "2018", "2025"
VERSIONS = (V2025, V2018)
VERSION_LABELS = {V2025: "VSIC 2025 (QĐ 36/2025/QĐ-TTg)", V2018: "VSIC 2018 (QĐ 27/2018/QĐ-TTg)"}


@dataclass(frozen=True)
class Industry:
    version: str
    code: str
    level: int
    name: str
    parent: str | None

    def __str__(self):
        return f"{self.code} — {self.name} (VSIC {self.version})"


def _read(name):
    with resources.files("nscl.data.vsic").joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=None)
def table(version: str) -> dict[str, Industry]:
    if version not in VERSIONS:
        raise KeyError(version)
    return {r["code"]: Industry(version, r["code"], int(r["level"]), r["name_vi"], r["parent_code"] or None)
            for r in _read(f"vsic{version}.csv")}


@lru_cache(maxsize=None)
def _conversion() -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list] = {}
    for r in _read("vsic2018_to_2025_all_levels.csv"):
        out.setdefault(r["code_2018"], []).append((r["code_2025"], r["note"]))
    return {k: tuple(v) for k, v in out.items()}


def lookup(version: str, code: str) -> Industry | None:
    version = str(version).strip()
    if version not in VERSIONS:
        return None
    return table(version).get(str(code).strip().upper())


def exists(version: str, code: str) -> bool:
    return lookup(version, code) is not None


def converts_to(code_2018: str) -> list[Industry]:
    """The VSIC 2025 codes a 2018 code converts to (official table, any level)."""
    t = table(V2025)
    return [t[c] for c, _note in _conversion().get(code_2018, ()) if c in t]


def section_of(version: str, code: str) -> str | None:
    """The section letter (level 1) above a code."""
    item = lookup(version, code)
    t = table(version) if item else {}
    while item is not None and item.level > 1:
        item = t.get(item.parent)
    return item.code if item else None


def search(version: str, text: str, limit: int = 20) -> list[Industry]:
    text = text.strip().lower()
    return [i for i in table(version).values() if text in i.code.lower() or text in i.name.lower()][:limit]
