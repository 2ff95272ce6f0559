"""Every script in examples/ runs (they are documentation that must not rot)."""

import pathlib
import runpy

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parents[1] / "examples").glob("*.py"))


#: Examples whose whole computation a test already runs with the same arguments (and asserts
#: on); running them again here would only double minutes of suite time.
COVERED_ELSEWHERE = {
    "povm_study": "tests/bounds/test_povm_study.py::test_reduced_study_no_povm_beats_the_"
                  "projective_threshold runs the identical povm_premise_study(0.1, 'uniform', "
                  "outcome_counts=(3, 9), n_per_count=1)",
}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, capsys):
    if path.stem in COVERED_ELSEWHERE:
        pytest.skip(COVERED_ELSEWHERE[path.stem])
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_skipped_povm_example_still_makes_the_call_the_test_runs():
    """The skip above is honest only while the example's default call is the tested one."""
    text = (pathlib.Path(__file__).parents[1] / "examples" / "povm_study.py").read_text()
    assert "if FULL else (3, 9)" in text and "n_per_count=8 if FULL else 1" in text
    assert "[(0.1, \"uniform\")]" in text
