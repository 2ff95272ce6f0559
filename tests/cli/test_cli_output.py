"""Human-readable CLI output (the text summary)."""

from __future__ import annotations

import importlib


def test_long_lists_of_names_print_one_per_line():
    # a newcomer could not see which figures `make demo` wrote: the list was cut at 100 characters
    summary = importlib.import_module("qkdbounds.cli.main")._summary
    figures = [f"out/figure_{i}.png" for i in range(12)]
    lines = summary({"report": "out/report.html", "figures": figures, "status": "ok"}).splitlines()
    assert lines[0] == "report   out/report.html"
    assert lines[1] == "figures  out/figure_0.png"
    assert lines[1:13] == [f"{'figures' if i == 0 else '':<7}  out/figure_{i}.png" for i in range(12)]
    assert lines[13] == "status   ok"
    # short lists stay on one line, as JSON
    short = summary({"measurements": ["Z", "Z"]})
    assert short == 'measurements  ["Z", "Z"]'
