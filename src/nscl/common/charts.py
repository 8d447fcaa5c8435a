"""Charts drawn once, by matplotlib, for both the page (SVG) and the reports (PNG)."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from importlib import resources  # noqa: E402

_FONT = None


def _font():
    global _FONT
    if _FONT is None:
        path = str(resources.files("nscl.fonts").joinpath("DejaVuSerif.ttf"))
        font_manager.fontManager.addfont(path)
        _FONT = font_manager.FontProperties(fname=path).get_name()
    return _FONT


def new_figure(figsize):
    """A figure in the shipped font (Vietnamese diacritics), without top and right frame lines."""
    plt.rcParams["font.family"] = _font()
    fig, ax = plt.subplots(figsize=figsize)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def render(fig, fmt):
    """SVG for pages, PNG for documents: the same drawing either way."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight", dpi=150 if fmt == "png" else 72,
                metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return buf.getvalue()
