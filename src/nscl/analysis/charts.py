import numpy as np

from nscl.common.charts import new_figure, render


def tfp_histogram(dist, fmt="svg"):
    edges = np.array(dist["edges"])
    fig, ax = new_figure((7, 3))
    ax.bar(edges[:-1], dist["counts"], width=np.diff(edges), align="edge", color="#2e7d32", edgecolor="white")
    for q, ls in (("p10", ":"), ("p50", "--"), ("p90", ":")):
        ax.axvline(dist[q], color="#333", ls=ls, lw=1)
    ax.set_xlabel("log TFP")
    return render(fig, fmt)


def event_study(rows, fmt="svg"):
    e = np.array([r["e"] for r in rows], float)
    att = np.array([r["att"] for r in rows])
    se = np.array([r["se"] for r in rows])
    fig, ax = new_figure((7, 3.2))
    for mask, colour in ((e < 0, "#9e9e9e"), (e >= 0, "#1565c0")):  # before / after the first support
        ax.errorbar(e[mask], att[mask], yerr=1.959964 * se[mask], fmt="o", color=colour, capsize=3)
    ax.axhline(0, color="#333", lw=0.8)
    ax.axvline(-0.5, color="#999", ls="--", lw=0.8)
    ax.set_xlabel("năm so với năm được hỗ trợ đầu tiên")
    ax.set_ylabel("ATT (KTC 95%)")
    return render(fig, fmt)
