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
