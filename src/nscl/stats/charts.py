"""TFP charts, drawn like the programme's (same fonts, SVG on the page, PNG in the note)."""
import numpy as np
from django.utils.translation import gettext

from nscl.common.charts import new_figure, render

from .services import TARGETS

CAPITAL, LABOUR, TFP = "#90a4ae", "#ffb74d", "#2e7d32"


def _years(run):
    return [y for y in run.results["years"] if y["output_growth"] is not None]


def contributions(run, fmt="svg", labels=None):
    """Stacked bars: percentage points of output growth from capital, labour and TFP."""
    labels = labels or {}
    rows = _years(run)
    years = [r["year"] for r in rows]
    gy = np.array([r["output_growth"] for r in rows]) * 100
    k = np.array([(r["contribution_capital_pct"] or 0) for r in rows]) * gy / 100
    lab = np.array([(r["contribution_labour_pct"] or 0) for r in rows]) * gy / 100
    a = np.array([r["tfp_growth"] for r in rows]) * 100
    fig, ax = new_figure((8, 3.6))
    pos_base = np.zeros(len(rows))
    neg_base = np.zeros(len(rows))
    for values, colour, name in ((k, CAPITAL, labels.get("capital", "Vốn")), (lab, LABOUR, labels.get("labour", "Lao động")),
                                 (a, TFP, "TFP")):
        base = np.where(values >= 0, pos_base, neg_base)
        ax.bar(years, values, bottom=base, color=colour, label=name)
        pos_base = pos_base + np.where(values >= 0, values, 0)
        neg_base = neg_base + np.where(values < 0, values, 0)
    ax.plot(years, gy, "k.", label=labels.get("output", "Tăng trưởng"))
    ax.axhline(0, color="#555", lw=0.8)
    ax.set_ylabel(labels.get("y", "điểm phần trăm"))
    ax.legend(frameon=False, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    _year_ticks(ax, years)
    return render(fig, fmt)


def tfp_share(run, fmt="svg", labels=None):
    """The TFP share of growth by year against the targets (45% national 2025, 50-55% provincial)."""
    labels = labels or {}
    rows = [r for r in _years(run) if r["contribution_tfp_pct"] is not None]
    years = [r["year"] for r in rows]
    fig, ax = new_figure((8, 3.4))
    ax.bar(years, [r["contribution_tfp_pct"] for r in rows], color=TFP, label=labels.get("share", "Tỷ trọng TFP (%)"))
    ax.axhline(TARGETS["national_2025"], color="#1565c0", ls="--", lw=1, label=labels.get("nat", "Mục tiêu quốc gia 2025: 45%"))
    ax.axhspan(TARGETS["province_low"], TARGETS["province_high"], color="#ffcc80", alpha=0.5,
               label=labels.get("prov", "Quy hoạch tỉnh 2021-2030: 50-55%"))
    ax.axhline(0, color="#555", lw=0.8)
    ax.legend(frameon=False, ncol=1, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    _year_ticks(ax, years)
    return render(fig, fmt)


def tfp_index(run, fmt="svg"):
    rows = run.results["years"]
    years = [r["year"] for r in rows]
    fig, ax = new_figure((8, 3))
    ax.plot(years, [r["tfp_index"] for r in rows], color=TFP, marker="o", ms=3)
    ax.axhline(1, color="#999", lw=0.8)
    ax.set_ylabel(gettext("Chỉ số TFP"))  # drawn in the request: in its language
    _year_ticks(ax, years)
    return render(fig, fmt)


def asean(table, fmt="svg", names=None, labels=None):
    """Bars by country (in the table's order, as the page's table) and period; `names` maps ISO
    codes to the country names shown; the dashed line is the national 2025 goal."""
    labels = labels or {}
    periods = list(dict.fromkeys(table["period"]))
    countries = list(dict.fromkeys(table["country"]))
    fig, ax = new_figure((8, 3.6))
    width = 0.8 / max(len(periods), 1)
    for i, p in enumerate(periods):
        sub = table[table.period == p].set_index("country")
        vals = [sub["tfp_share_pct"].get(c, np.nan) for c in countries]
        ax.bar(np.arange(len(countries)) + i * width, np.clip(vals, -150, 150), width, label=p)
    ax.axhline(TARGETS["national_2025"], color="#1565c0", ls="--", lw=1,
               label=labels.get("nat", "Mục tiêu Việt Nam 2025: 45%"))
    ax.axhline(0, color="#555", lw=0.8)
    ax.set_xticks(np.arange(len(countries)) + width * (len(periods) - 1) / 2,
                  [(names or {}).get(c, c) for c in countries], rotation=30, ha="right")
    ax.set_ylabel("TFP (%)")
    ax.legend(frameon=False, ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))  # above: the bars are tall
    return render(fig, fmt)


def _year_ticks(ax, years):
    if len(years) <= 25:
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=90 if len(years) > 8 else 0)
