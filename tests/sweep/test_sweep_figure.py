"""``results plot``: one curve per distinct sweep, axes titled with the fixed parameters."""

from qkdbounds.plotting import draw_sweep


def _rows(function, scale):
    return [dict(dim=3, parties=2, visibility=v, leakage=0.1, model="junk", attack="extended",
                 rate_upper_bound=scale * v, function=function, version="1")
            for v in (0.5, 0.75, 1.0)]


def test_distinct_point_functions_are_not_merged():
    ax = draw_sweep(_rows("a:f", 1.0) + _rows("b:g", 0.5))
    assert len(ax.lines) == 2
    title = ax.get_title()
    assert "d = 3" in title and "N = 2" in title and "junk" in title and "extended" in title


def test_one_sweep_one_curve():
    assert len(draw_sweep(_rows("a:f", 1.0)).lines) == 1


def test_many_curves_never_share_colour_and_style_and_floats_are_short():
    # helper verification: a 10-eta DI sweep drew eta = 0.90 and 0.98 in the same blue, and the
    # title printed theta = 0.7853981633974483
    import numpy as np

    rows = [dict(visibility=v, eta=round(0.9 + 0.01 * k, 2), theta=float(np.pi / 4), leakage=0.0,
                 rate_upper_bound=v * k, function="a:f", version="1")
            for k in range(10) for v in (0.9, 1.0)]
    ax = draw_sweep(rows, x="visibility", group="eta")
    styles = [(line.get_color(), line.get_linestyle()) for line in ax.lines]
    assert len(styles) == 10 and len(set(styles)) == 10
    assert "theta = 0.785398" in ax.get_title()
