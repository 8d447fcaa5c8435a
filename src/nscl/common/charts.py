"""Charts drawn once, by matplotlib, for both the page (SVG) and the reports (PNG). matplotlib is
imported when the first chart is drawn (about a second): every process that only serves pages,
migrates or imports does not pay for it."""
from __future__ import annotations

import io
import re
from importlib import resources

from .formatting import english

_FONT = None


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

# Charts are drawn for a phone first: an SVG <img> scales with its box, so its text shrinks with it.
# 5 inches wide with 12 pt text keeps the text at 11 px or more down to a 330 px box (a 390 px phone,
# page and card padding taken off) and shows it at 16 px at the chart's own size on a desktop.
WIDTH_IN = 5.0
FONT_PT = 12
PNG_SCALE = 1.4
FONT_SIZES = {"font.size": FONT_PT, "axes.labelsize": FONT_PT, "axes.titlesize": FONT_PT, "xtick.labelsize": FONT_PT,
              "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT, "legend.title_fontsize": FONT_PT}


def _font():
    global _FONT
    if _FONT is None:
        from matplotlib import font_manager

        path = str(resources.files("nscl.fonts").joinpath("DejaVuSerif.ttf"))
        font_manager.fontManager.addfont(path)
        _FONT = font_manager.FontProperties(fname=path).get_name()
    return _FONT


def new_figure(figsize):
    """A figure in the shipped font (Vietnamese diacritics), without top and right frame lines, at most
    WIDTH_IN wide (the height asked for is kept: the larger text needs it), text FONT_PT."""
    plt = _pyplot()
    plt.rcParams["font.family"] = _font()
    plt.rcParams.update(FONT_SIZES)
    width, height = figsize
    fig, ax = plt.subplots(figsize=(min(width, WIDTH_IN), height))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def render(fig, fmt, lang=None):
    """SVG for pages, PNG for documents: the same drawing either way, the PNG on a page PNG_SCALE times
    larger (a document shows it 160 mm wide: its text then comes out near the body text's size). Its
    numbers are written in `lang` (for an SVG the request's language when None; a PNG goes into a
    Vietnamese document): a decimal comma in Vietnamese."""
    if not english(_language(lang) if fmt == "svg" else lang or "vi"):
        decimal_commas(fig)
    if fmt == "png":
        fig.set_size_inches(*(fig.get_size_inches() * PNG_SCALE))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight", dpi=150 if fmt == "png" else 72,
                metadata={"Date": None} if fmt == "svg" else None)
    _pyplot().close(fig)
    return buf.getvalue()


def _language(lang):
    if lang is not None:
        return lang
    from django.utils import translation

    return translation.get_language() or "vi"


# a decimal number written the Python way: 22.5, 0.38, -1.25 (not 1.234 or 1.234.567: Vietnamese thousands)
_DECIMAL = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d.,])")


def comma(text: str) -> str:
    """`text` with its decimal points as decimal commas ("α = 0.38" → "α = 0,38", "22.5 / 20" →
    "22,5 / 20"); a point before exactly three digits is left alone (it may be a thousands separator)."""
    return _DECIMAL.sub(lambda m: m[0] if len(m[2]) == 3 else f"{m[1]},{m[2]}", text)


def decimal_commas(fig):
    """The figure's numbers with a decimal comma: the axes' tick labels (matplotlib's default
    formatter, which writes a point) and the texts drawn on it (labels, titles, legends, annotations)."""
    from matplotlib.text import Text
    from matplotlib.ticker import ScalarFormatter

    class CommaFormatter(ScalarFormatter):
        """matplotlib's default tick labels, written with a decimal comma."""

        def __call__(self, x, pos=None):
            return super().__call__(x, pos).replace(".", ",")

        def get_offset(self):
            return super().get_offset().replace(".", ",")

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(CommaFormatter())
    for text in fig.findobj(Text):
        value = text.get_text()
        if value and "." in value:
            text.set_text(comma(value))
