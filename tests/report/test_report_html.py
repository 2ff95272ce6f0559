"""The report page and the errata page without a reproduction run: what a row shows, where its
errata links point, the citations, and that every in-page link has its anchor."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

from qkdbounds.report import PAPERS, errata_anchor, render_errata, render_report

ERRATA_MD = Path(__file__).resolve().parents[2] / "docs" / "errata.md"

# a 1x1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


class _Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])


def _row(**kw) -> dict:
    row = dict(section="s", quantity="q", paper=None, ours=0.5, second_route=None, agrees=None,
               where="", note="", errata="")
    row.update(kw)
    return row


def _render(tmp_path, rows, **kw) -> tuple[str, _Page]:
    png = tmp_path / "f.png"
    png.write_bytes(PNG)
    sections = [{"title": "Paper 1: thresholds", "rows": rows}, {"title": "Beyond", "rows": rows}]
    path = render_report("t", "intro", sections, [{"png": png, "caption": "c"}], "errata.html",
                         tmp_path / "report.html", **kw)
    text = path.read_text(encoding="utf-8")
    return text, _Page(text)


def test_rows_links_and_citations(tmp_path):
    text, page = _render(tmp_path, [
        _row(quantity="a threshold", paper=0.4, ours=0.357, second_route=0.357, agrees=False,
             errata="E1.1"),
        _row(quantity="n_max", ours=8, errata="R1, R2", note="right-hand side 8.6"),
        _row(quantity="Hadamard", ours=32, errata="Clarifications (not errors)"),
    ])
    # "—" where a row has no second route; the number it does not compare stays in the note
    assert "<td>8</td><td>—</td>" in text and "right-hand side 8.6" in text
    hrefs = set(page.hrefs)
    assert {"errata.html#E1.1", "errata.html#R1", "errata.html#R2",
            "errata.html#clarifications-not-errors"} <= hrefs
    assert len(page.ids) == len(set(page.ids))
    assert {h[1:] for h in page.hrefs if h.startswith("#")} <= set(page.ids)
    assert "#figures" in hrefs and "figure-1" in page.ids
    for paper in PAPERS:
        assert f"https://doi.org/{paper.doi}" in hrefs and f"https://arxiv.org/abs/{paper.arxiv}" in hrefs
        assert all(name in text for name in paper.authors) and paper.title in text
    assert text.index("https://doi.org/") < text.index("<h2")      # cited at the top


def test_errata_links_without_anchors_go_to_the_page(tmp_path):
    _, page = _render(tmp_path, [_row(errata="E1.1")], errata_anchors=False)
    assert "errata.html" in page.hrefs and not any(h.startswith("errata.html#") for h in page.hrefs)


def test_errata_page_has_one_anchor_per_entry(tmp_path):
    source = ERRATA_MD.read_text(encoding="utf-8")
    page = _Page(render_errata(source, tmp_path / "errata.html").read_text(encoding="utf-8"))
    assert len(page.ids) == len(set(page.ids)) == len(re.findall(r"^#{1,6} ", source, flags=re.M))
    for label in ("E1.1", "E1.7", "E1.8", "R1", "R2", "R3"):
        assert label in page.ids
    assert errata_anchor("Clarifications (not errors)") in page.ids
    assert "report.html" in page.hrefs


def test_errata_anchors_of_repeated_headings_stay_unique(tmp_path):
    page = _Page(render_errata("# T\n## Notes\ntext\n## Notes\n### E2.1 x\n<b>raw</b>\n",
                               tmp_path / "e.html").read_text())
    assert page.ids == ["t", "notes", "notes-2", "E2.1"]
