"""Charts of a finished analysis, drawn from its stored results (nothing is recomputed here)."""
import numpy as np
from django.utils.translation import gettext

from nscl.common.charts import new_figure, render


def tfp_histogram(dist, fmt="svg"):
    edges = np.array(dist["edges"], dtype=float)  # jsonb gives an int for a float of integral value
    fig, ax = new_figure((7, 3))
    ax.bar(edges[:-1], dist["counts"], width=np.diff(edges), align="edge", color="#2e7d32", edgecolor="white")
    for q, ls in (("p10", ":"), ("p50", "--"), ("p90", ":")):
        if dist.get(q) is not None:  # stored as None when it was not a finite number
            ax.axvline(dist[q], color="#333", ls=ls, lw=1)
    ax.set_xlabel("log TFP")
    return render(fig, fmt)


def event_study(rows, fmt="svg", level=0.95):
    """`rows`: the stored event-study rows {e, att, se, lower, upper}; the bars are the stored intervals."""
    e = np.array([r["e"] for r in rows], float)
    att = np.array([r["att"] for r in rows], float)
    lower = np.array([np.nan if r.get("lower") is None else r["lower"] for r in rows], float)
    upper = np.array([np.nan if r.get("upper") is None else r["upper"] for r in rows], float)
    fig, ax = new_figure((7, 3.2))
    for mask, colour in ((e < 0, "#9e9e9e"), (e >= 0, "#1565c0")):  # before / after the first support
        yerr = np.vstack([att[mask] - lower[mask], upper[mask] - att[mask]])
        ax.errorbar(e[mask], att[mask], yerr=np.nan_to_num(yerr), fmt="o", color=colour, capsize=3)
    ax.axhline(0, color="#333", lw=0.8)
    ax.axvline(-0.5, color="#999", ls="--", lw=0.8)
    # drawn in the request: in its language
    ax.set_xlabel(gettext("năm so với năm được hỗ trợ đầu tiên"))
    ax.set_ylabel(gettext("ATT (KTC %(level)s)") % {"level": f"{level:.0%}"})
    return render(fig, fmt)
