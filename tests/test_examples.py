"""Every script in examples/ runs and draws (they are documentation that must not rot).

The same scripts are executed by sphinx-gallery for the docs gallery (``make docs``); here they
run headless (Agg), and each must print its results and leave at least one figure open.
"""

import pathlib
import runpy

import matplotlib
import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.fixture
def pyplot():
    """pyplot on the non-interactive Agg backend (plt.show() returns at once), no figure open
    before the example and none left after it."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


def test_at_least_six_examples():
    """The gallery (issue 22) shows at least six examples."""
    assert len(EXAMPLES) >= 6, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_draws(path, capsys, pyplot):
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip(), f"{path.name} printed nothing"
    figures = [pyplot.figure(n) for n in pyplot.get_fignums()]
    assert figures, f"{path.name} drew no figure"
    assert all(ax.has_data() for fig in figures for ax in fig.axes), \
        f"{path.name} left an empty axes"


def test_examples_are_gallery_scripts():
    """sphinx-gallery needs a module docstring whose first line after the opening quotes is a
    title underlined with '='."""
    import ast

    for path in EXAMPLES:
        doc = ast.get_docstring(ast.parse(path.read_text()), clean=False)
        assert doc, f"{path.name}: no module docstring"
        lines = doc.strip().splitlines()
        assert len(lines) >= 2 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0]), \
            f"{path.name}: the docstring does not start with an '='-underlined title"
