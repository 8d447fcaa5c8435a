"""Wording of a target that names another phase: a target copied from 2021-2025 into 2026-2030
keeps "giai đoạn 2021-2025", "mỗi năm 2021-2025" or "đến năm 2025" until someone rewrites it.
Pure text (no database): `other_phase_mentions(text, start, end)` lists the phrases to review.

What is flagged: a span of years Y1-Y2 (hyphen, en or em dash, spaces allowed; Y1 < Y2) other than
the phase's own, with "giai đoạn"/"period"/"phase" before it when present; and a single year after
"năm", "đến", "by", "in", "until" that lies outside the phase. A year standing alone is not flagged:
"ISO 9001:2015" names an edition, not a phase.
"""
from __future__ import annotations

import re

_SPAN = re.compile(r"(?:(?:giai đoạn|thời kỳ|period|phase)\s+)?\b(20\d\d)\s*[-–—]\s*(20\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:đến năm|năm|đến|by|in|until)\s+(20\d\d)\b", re.IGNORECASE)


def other_phase_mentions(text: str, start: int, end: int) -> list[str]:
    """The phrases of `text` naming years of another phase than start-end, in order, each once."""
    found: list[str] = []
    rest = text or ""
    for m in _SPAN.finditer(rest):
        a, b = int(m.group(1)), int(m.group(2))
        if a < b and (a, b) != (start, end):
            found.append(m.group(0).strip())
    rest = _SPAN.sub(" ", rest)  # a year inside a span was judged with the span
    for m in _YEAR.finditer(rest):
        if not start <= int(m.group(1)) <= end:
            found.append(m.group(0).strip())
    return list(dict.fromkeys(found))
