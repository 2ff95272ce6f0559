"""`qkdbounds reproduce`: every listed file, and a report containing every headline number, the
two papers cited in full, comparisons of like with like, and errata links that land on an anchor."""

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from qkdbounds.report.errata import errata_anchor

EXPECTED = [
    "figure1.png", "figure1.svg", "figure1.csv", "figure2.png", "figure2.svg", "figure2.csv",
    "figure3.png", "figure3.svg", "figure4.png", "figure4.svg", "figure_diqkd_rho_d.png",
    "figure_diqkd_rho_d.svg", "figure_werner_window.png", "figure_werner_window.svg",
    "beyond_figure1.png", "beyond_figure3.svg", "results.json", "report.html", "errata.html",
    "figure_plan.png", "figure_plan.svg", "figure_plan.csv",
    "figure_di_window.png", "figure_di_window.svg", "figure_di_window.csv",
]


def _fmt(x):
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.6g}"
    return html.escape(str(x))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])


def _links(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_reproduce_writes_everything_and_report_lists_every_headline(reproduced):
    out, summary = reproduced.out, reproduced.summary
    for name in EXPECTED:
        assert (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())
    page = (out / "report.html").read_text()
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
    # the DI window's attack points live in the results store of the output directory (issue 21)
    di = results["figures"]["di"]
    assert di["store"] == str(out / "results.sqlite") and (out / "results.sqlite").stat().st_size > 0
    assert di["attack_points_computed"] + di["attack_points_read"] >= 41


def test_second_route_holds_the_same_quantity(reproduced):
    """Issue 22 item 4: a number that answers another question (the edge of the PPT range, the
    intrinsic-information attack, paper 1's attack beside the default one) is in the note, and the
    second-route column says "—"; where the column holds a number it is the same quantity, so it
    agrees with ours."""
    headlines = json.loads((reproduced.out / "results.json").read_text())["headlines"]
    by_q = {h["quantity"]: h for h in headlines}
    ppt = next(h for q, h in by_q.items() if q.startswith("rho_d PPT"))
    assert ppt["second_route"] is None and "0.00097561" in ppt["note"]
    beyond = [h for h in headlines if h["quantity"].startswith("R bound")]
    assert beyond and all(h["second_route"] is None for h in beyond)
    assert all("intrinsic search" in h["note"] for h in beyond if "N=2" in h["quantity"])
    for h in headlines:
        if isinstance(h["ours"], float) and isinstance(h["second_route"], float):
            assert abs(h["ours"] - h["second_route"]) <= 1e-3 * max(1.0, abs(h["ours"])), h["quantity"]


def test_window_uses_the_default_bound_and_names_the_papers_value(reproduced):
    from qkdbounds import rate_upper_bound
    from qkdbounds.bounds import threshold_paper_printed

    headlines = json.loads((reproduced.out / "results.json").read_text())["headlines"]
    sec = [h for h in headlines if h["section"] == "Beyond the paper: DI window (Werner states)"]
    upper = next(h for h in sec if h["quantity"].startswith("upper bound at v = 0.95"))
    best = rate_upper_bound(2, 2, 0.95, 0.1, "uniform")
    paper = rate_upper_bound(2, 2, 0.95, 0.1, "uniform", attack="paper")
    assert abs(upper["ours"] - float(best.value)) < 1e-9 < float(paper.value) - upper["ours"]
    assert f"paper 1's attack gives {float(paper.value):.6g}" in upper["note"]
    zero = next(h for h in sec if h["quantity"].startswith("upper bound = 0 at v"))
    assert zero["paper"] == threshold_paper_printed(2, 2, 0.1, "uniform") and zero["errata"] == "E1.1"


def test_papers_cited_in_full_and_errata_links_land_on_anchors(reproduced):
    page = (reproduced.out / "report.html").read_text()
    head = page[:page.index("<h2")]
    for needle in ("Shubhayan Sarkar", "Tushita Prasad", "Karol Horodecki", "arXiv:2603.06400",
                   "Matthias Christandl", "Roberto Ferrara", "Phys. Rev. Lett. 126, 160501",
                   "10.1103/PhysRevLett.126.160501", "Entanglement is not sufficient",
                   "Upper Bounds on Device-Independent Quantum Key Distribution"):
        assert needle in head, needle
    report, errata = _links(reproduced.out / "report.html"), _links(reproduced.out / "errata.html")
    to_errata = [h.split("#", 1)[1] for h in report.hrefs if h.startswith("errata.html#")]
    assert {"E1.1", "R1", "R2"} <= set(to_errata)
    assert not set(to_errata) - errata.ids
    assert not {h[1:] for h in report.hrefs if h.startswith("#")} - report.ids
    assert "errata.md" not in {h for h in report.hrefs}
    # every labelled erratum heading of docs/errata.md has its label as anchor
    source = (Path(__file__).resolve().parents[2] / "docs" / "errata.md").read_text(encoding="utf-8")
    labels = re.findall(r"^#+\s+([A-Z]\d+(?:\.\d+)?)", source, flags=re.M)
    assert len(labels) >= 11 and all(errata_anchor(x) == x and x in errata.ids for x in labels)
    assert {"E1.1", "E1.8", "R1", "R3"} <= errata.ids
