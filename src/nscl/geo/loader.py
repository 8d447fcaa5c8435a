"""Load the administrative units shipped in nscl/data (see its README) — idempotent: a repeated
load writes (and audits) nothing."""
import csv
import datetime
import re
import unicodedata
from importlib import resources

from django.db import transaction

from nscl.common.upsert import upsert

from .models import MERGER_DATE, AdministrativeUnit, UnitSuccession

OLD_END = MERGER_DATE - datetime.timedelta(days=1)
_NAMED = re.compile(r"(Phường|Xã|Thị trấn)\s+([^,()]+?)\s*(?:\(([^)]*)\))?\s*(?=,|\svà\s|$)")
# old and new Vietnamese tone placement ("hoà" / "hòa") must match
_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
          "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}


def name_key(name: str) -> str:
    key = unicodedata.normalize("NFC", name).lower().strip()
    for old, new in _TONES.items():
        key = key.replace(old, new)
    return " ".join(key.split())


def _rows(name):
    with resources.files("nscl.data").joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def parse_formed_from(text: str):
    """[(name, district hint, partial)] of the former communes named in a 'formed_from' text."""
    out = []
    prev_end = 0
    for m in _NAMED.finditer(text):
        lead = text[prev_end : m.start()].lower()  # words since the previous name: "một phần ... của"
        prev_end = m.end()
        hint = (m.group(3) or "").strip()
        out.append((f"{m.group(1)} {m.group(2).strip()}", hint, "phần" in lead))
    return out


def _upsert(level, code, valid_from, **fields):
    return upsert(AdministrativeUnit, fields, level=level, code=code, valid_from=valid_from)[0]


@transaction.atomic
def load_admin_units() -> dict:
    P, D, C = AdministrativeUnit.Level.PROVINCE, AdministrativeUnit.Level.DISTRICT, AdministrativeUnit.Level.COMMUNE
    old_provinces, old_districts, old_communes = {}, {}, []
    for r in _rows("hung-yen-thai-binh-before-2025-07.csv"):
        pc = r["province_code"]
        if pc not in old_provinces:
            old_provinces[pc] = _upsert(P, pc, None, name=r["province"], unit_type="Tỉnh", valid_to=OLD_END, parent=None)
        dc = r["district_code"]
        if dc not in old_districts:
            old_districts[dc] = _upsert(
                D, dc, None, name=r["district"], unit_type=r["district_type"], valid_to=OLD_END, parent=old_provinces[pc]
            )
        old_communes.append(
            _upsert(C, r["commune_code"], None, name=r["commune"], unit_type=r["commune_type"], valid_to=OLD_END,
                    parent=old_districts[dc])
        )
    new_provinces = {}
    for r in _rows("provinces-2025-07.csv"):
        kind = r["province"].split(" ")[0]
        new_provinces[r["province_code"]] = _upsert(
            P, r["province_code"], MERGER_DATE, name=r["province"].replace("Thành Phố", "Thành phố"),
            unit_type="Thành phố" if kind.lower() in ("thành", "thủ") else "Tỉnh", valid_to=None, parent=None,
            formed_from_text=r["formed_from"],
        )
    new_hy = new_provinces["33"]
    for old in old_provinces.values():
        UnitSuccession.objects.get_or_create(successor=new_hy, predecessor=old)

    by_name = {}
    for c in old_communes:
        by_name.setdefault(name_key(c.name), []).append(c)
    old_by_code = {c.code: c for c in old_communes}
    unmatched = []
    links = 0
    for r in _rows("hung-yen-communes-2025-07.csv"):
        new = _upsert(C, r["commune_code"], MERGER_DATE, name=r["commune"], unit_type=r["commune_type"],
                      valid_to=None, parent=new_provinces[r["province_code"]], formed_from_text=r["formed_from"])
        seat = old_by_code.get(r["commune_code"])
        for name, hint, partial in parse_formed_from(r["formed_from"]):
            candidates = by_name.get(name_key(name), [])
            if hint and len(candidates) > 1:
                hinted = [c for c in candidates if name_key(c.parent.name).endswith(name_key(hint))]
                candidates = hinted or candidates
            if len(candidates) > 1:
                # same name in several districts: prefer the district of the commune whose code the new one keeps,
                # then the nearest code
                same = [c for c in candidates if seat and c.parent_id == seat.parent_id]
                candidates = same or sorted(candidates, key=lambda c: abs(int(c.code) - int(r["commune_code"])))
            if not candidates:
                unmatched.append((r["commune"], name))
                continue
            upsert(UnitSuccession, {"partial": partial}, successor=new, predecessor=candidates[0])
            links += 1
    return {
        "provinces": len(new_provinces),
        "communes_new": AdministrativeUnit.objects.filter(level=C, valid_from=MERGER_DATE).count(),
        "communes_old": len(old_communes),
        "links": links,
        "unmatched": unmatched,  # (new commune, old commune named in its resolution but not in the old list)
    }
