"""One style for every figure: sizes, fonts, palette, line styles (ours vs. the paper's).

Every ``draw_*`` function draws inside :func:`styled` (a matplotlib ``rc_context``), takes
``ax=None`` (:func:`new_axes`: a pyplot figure, so Jupyter shows it inline) and returns the
matplotlib objects; nothing is written.  Writing is a separate step: the ``write_*`` functions
draw into :func:`file_axes` (a figure on an Agg canvas, no pyplot state, any backend) and call
:func:`save_figure`.

Colours are the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008), which stays
distinguishable with the common colour-vision deficiencies; lines also differ in style, so the
figures survive greyscale.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._io import atomic_write, check_output_file

__all__ = ["OKABE_ITO", "CYCLE", "DPI", "LEGEND_FONT_SIZE", "SIZES", "OURS", "PAPER",
           "ALTERNATIVE", "BASELINE", "THRESHOLD", "PAPER_THRESHOLD", "END_MARKER", "RC",
           "styled", "new_axes", "file_axes", "legend_below", "legend_outside", "save_figure"]

#: Okabe & Ito (2008): the palette of every figure.
OKABE_ITO = {"orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
             "grey": "#999999"}
#: Colour order of curve families (yellow last: weak on white).
CYCLE = tuple(OKABE_ITO[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky_blue",
                                     "black", "yellow"))

#: Line styles taken in turn once the colours of :data:`CYCLE` are used up.
LINE_STYLES = ("-", "--", ":", "-.")


def curve_style(index: int) -> tuple[str, str]:
    """(colour, line style) of the ``index``-th curve of a figure: the colours of :data:`CYCLE`
    in turn, then again with the next line style (32 distinct curves before any repeats)."""
    return CYCLE[index % len(CYCLE)], LINE_STYLES[(index // len(CYCLE)) % len(LINE_STYLES)]


#: Resolution of every PNG (dots per inch).
DPI = 150
#: Font sizes (points); no legend is smaller than 8 pt.
FONT_SIZE = 9
LEGEND_FONT_SIZE = 8
TITLE_FONT_SIZE = 10
#: Figure sizes (inches) by kind; legends placed below the axes add to the height.
SIZES = {"single": (6.4, 4.4), "tall": (6.6, 5.6), "wide": (10.0, 4.2), "map": (6.8, 5.6)}

#: Line styles: our computed bound; the curve or threshold as printed in a paper; a second
#: computation of ours (e.g. a tighter attack); a reference baseline (e.g. no attack, PLOB).
OURS = {"ls": "-", "lw": 1.8}
PAPER = {"ls": ":", "lw": 1.3}
ALTERNATIVE = {"ls": "-.", "lw": 1.4}
BASELINE = {"ls": "--", "lw": 1.1}
#: Vertical threshold lines: derived (ours) dashed, as printed (paper) dotted.
THRESHOLD = {"ls": "--", "lw": 0.9}
PAPER_THRESHOLD = {"ls": ":", "lw": 1.1}
#: Where a curve ends because the bound reaches 0 (open circle on the last positive point).
END_MARKER = {"marker": "o", "ms": 5.5, "mfc": "white", "mew": 1.4, "ls": "none"}

#: Matplotlib rc settings of every figure (applied while drawing, never globally).
RC = {
    "font.size": FONT_SIZE,
    "axes.titlesize": TITLE_FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE - 0.5,
    "ytick.labelsize": FONT_SIZE - 0.5,
    "legend.fontsize": LEGEND_FONT_SIZE,
    "legend.title_fontsize": LEGEND_FONT_SIZE,
    "axes.prop_cycle": cycler(color=list(CYCLE)),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": OURS["lw"],
    "savefig.dpi": DPI,
}


def styled(draw):
    """Decorator: run a ``draw_*`` function inside the shared style (:data:`RC`)."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return draw(*args, **kwargs)
    return wrapper


def new_axes(ax=None, size: str | tuple[float, float] = "single"):
    """``ax`` if given, else the axes of a new pyplot figure of :data:`SIZES` ``[size]``."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=SIZES[size] if isinstance(size, str) else size)
    return ax


def file_axes(size: str | tuple[float, float] = "single", ncols: int = 1, **subplot_kw):
    """Axes of a new figure on an Agg canvas (for the ``write_*`` functions: no pyplot state,
    whatever the backend); one ``Axes`` or, with ``ncols > 1``, an array of them."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=SIZES[size] if isinstance(size, str) else size)
        FigureCanvasAgg(fig)
        return fig.subplots(1, ncols, **subplot_kw)


def legend_below(ax, handles=None, title: str | None = None, ncol: int = 1, offset: float = 0.13):
    """Legend below the axes (never over data or threshold lines); returns it."""
    kwargs = {} if handles is None else {"handles": handles}
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -offset), ncol=ncol,
                     fontsize=LEGEND_FONT_SIZE, title=title, title_fontsize=LEGEND_FONT_SIZE,
                     frameon=False, alignment="left", **kwargs)


def legend_outside(ax, handles=None, title: str | None = None):
    """Legend right of the axes (never over data or threshold lines); returns it."""
    kwargs = {} if handles is None else {"handles": handles}
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=LEGEND_FONT_SIZE,
                     title=title, title_fontsize=LEGEND_FONT_SIZE, frameon=False,
                     alignment="left", borderaxespad=0.0, **kwargs)


def save_figure(fig, stem: str | Path, formats: Sequence[str] = ("png", "svg"),
                dpi: int = DPI) -> list[Path]:
    """Write ``fig`` as ``stem.<fmt>`` for every format (atomically, parents created); returns
    the paths.  The figure stays open (in a notebook: still shown); legends outside the axes are
    kept (``bbox_inches="tight"``).

    Raises
    ------
    InputError
        A target that cannot be written (e.g. ``stem`` under an existing file), before any work.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> ax = file_axes()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in save_figure(ax.figure, pathlib.Path(tmp) / "line")]
    ['line.png', 'line.svg']
    """
    stem = Path(stem)
    # each target checked before any work (a stem under a file: one InputError, not
    # FileExistsError from the parents' creation)
    targets = [check_output_file("stem", stem.parent / f"{stem.name}.{fmt}") for fmt in formats]
    written = []
    # the tight bounding box (a layout pass over every text) once for all formats, as savefig's
    # bbox_inches="tight" computes it: at the saving dpi, padded by savefig.pad_inches.  Not
    # with a layout engine (savefig re-runs it, and constrained layout is not idempotent) nor
    # on an interactive canvas
    bbox = "tight"
    if (len(formats) > 1 and type(fig.canvas) is FigureCanvasAgg
            and fig.get_layout_engine() is None):
        old_dpi = fig.dpi
        try:
            fig.dpi = dpi
            fig.draw_without_rendering()
            bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(
                matplotlib.rcParams["savefig.pad_inches"])
        finally:
            fig.dpi = old_dpi
    for fmt, target in zip(formats, targets):
        atomic_write(target, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=dpi,
                                                              bbox_inches=bbox))
        written.append(target)
    return written
