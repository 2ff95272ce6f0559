"""`qkdbounds reproduce`: every listed file, and a report containing every headline number."""

import html
import json

from qkdbounds.cli.main import main

EXPECTED = [
    "figure1.png", "figure1.svg", "figure1.csv", "figure2.png", "figure2.svg", "figure2.csv",
    "figure3.png", "figure3.svg", "figure4.png", "figure4.svg", "figure_diqkd_rho_d.png",
    "figure_diqkd_rho_d.svg", "figure_werner_window.png", "figure_werner_window.svg",
    "beyond_figure1.png", "beyond_figure3.svg", "results.json", "report.html",
    "figure_plan.png", "figure_plan.svg", "figure_plan.csv",
    "figure_di_window.png", "figure_di_window.svg", "figure_di_window.csv",
]


def _fmt(x):
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.6g}"
    return html.escape(str(x))


def test_reproduce_writes_everything_and_report_lists_every_headline(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path), "--points", "11", "--quiet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for name in EXPECTED:
        assert (tmp_path / name).stat().st_size > 0, name
    results = json.loads((tmp_path / "results.json").read_text())
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(summary["figures"]) == 11
    headlines = results["headlines"]
    assert len(headlines) >= 30
    for h in headlines:
        for key in ("paper", "ours", "second_route"):
            if h[key] is not None:
                assert _fmt(h[key]) in page, (h["quantity"], key)
    # the headline facts themselves
    by_q = {h["quantity"]: h for h in headlines}
    thr = by_q["v* (d=2, N=2, uniform, L=0.1)"]
    assert abs(thr["ours"] - 1 / 2.8) < 1e-12 and abs(thr["second_route"] - thr["ours"]) < 1e-6
    assert thr["agrees"] is False and abs(thr["paper"] - (1 / 3 + 0.2 / 2.8)) < 1e-12
    assert by_q["smallest shield dimension with a gap (Fourier U)"]["ours"] == 24
    di_low = by_q["eta threshold of the CHSH DW lower bound (v = 1, binned)"]
    assert abs(di_low["ours"] - di_low["second_route"]) < 1e-9 and di_low["agrees"] is True
    assert by_q["eta = v = 1: upper and lower bounds meet (1 bit)"]["agrees"] is True
    assert summary["n_disagreements"] == sum(1 for h in headlines if h["agrees"] is False)
