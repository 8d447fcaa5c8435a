"""Progress charts, drawn by the shared chart helpers (same figure on the page and in the report)."""
from __future__ import annotations

import math

from nscl.common.charts import new_figure, render

STATUS_COLOURS = {
    "met": "#2e7d32", "exceeded": "#1565c0", "on_track": "#f9a825",
    "at_risk": "#c62828", "not_met": "#6d1b1b", "not_started": "#9e9e9e",
}


def progress_chart(progress, fmt="svg", labels=None) -> bytes:
    """One horizontal bar per target: actual as a share of the target's lower bound (100% = reached)."""
    rows = list(progress)
    fig, ax = new_figure((8, 0.45 * max(len(rows), 1) + 1.2))
    names = [p.target.code for p in rows]
    pct = [min(p.pct_of_target, 200) for p in rows]
    colours = [STATUS_COLOURS.get(p.status, "#999") for p in rows]
    y = range(len(rows))
    ax.barh(list(y), pct, color=colours)
    ax.axvline(100, color="#333", lw=1, ls="--")
    for i, p in enumerate(rows):
        hi = "" if not math.isfinite(p.hi) else (f"–{p.hi:g}" if p.hi != p.lo else "")
        ax.text(pct[i] + 2, i, f"{p.actual:g} / {p.lo:g}{hi}", va="center")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 220)
    ax.set_xlabel(labels.get("x", "% so với chỉ tiêu") if labels else "% so với chỉ tiêu")
    return render(fig, fmt)


def target_year_chart(tp, fmt="svg", labels=None) -> bytes:
    """A target by year: bars for the year's count, a line for the running total, the bounds shaded."""
    labels = labels or {}
    fig, ax = new_figure((7, 3.2))
    years = tp.years
    ax.bar(years, [tp.yearly[y] for y in years], color="#90caf9", label=labels.get("yearly", "Trong năm"))
    if not tp.target.every_year:
        ax.plot(years, [tp.cumulative[y] for y in years], color="#1565c0", marker="o", label=labels.get("cumulative", "Lũy kế"))
        hi = tp.hi if math.isfinite(tp.hi) else tp.lo
        ax.axhspan(tp.lo, max(hi, tp.lo) + (0.05 if hi == tp.lo else 0), color="#a5d6a7", alpha=0.5,
                   label=labels.get("target", "Chỉ tiêu"))
    else:
        n = len(years)
        ax.axhline(tp.lo / n, color="#2e7d32", ls="--", label=labels.get("target", "Chỉ tiêu"))
    ax.set_xticks(years)
    ax.legend(frameon=False)
    return render(fig, fmt)
