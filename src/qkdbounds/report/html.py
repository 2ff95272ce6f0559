"""Self-contained HTML report: figures embedded as base64 PNG, comparison tables (no science)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from .._io import write_text_atomic
from .errata import errata_anchor
from .references import PAPERS, Paper, citation_html

__all__ = ["render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.bad td{background:#fff1f0}tr.ok td.flag{color:#1a7f37}tr.na td.flag{color:#666}tr.bad td.flag{color:#cf222e}
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:1em}
figure{margin:0;border:1px solid #eee;padding:.5em}figure img{width:100%}
figure.wide{grid-column:1/-1}
figcaption{font-size:.85em;color:#555}code{background:#f6f8fa;padding:0 .2em}
ol.refs{padding-left:1.6em}ol.refs li{margin:.2em 0}ol.toc{columns:2;font-size:.9em;margin:.3em 0}
h2:target{background:#fff8c5}
"""


def _fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int,)) and not isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    return html.escape(str(x))


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(Path(path).name)}" src="data:image/png;base64,{data}">'


def _aspect(path) -> float:
    """Width / height of a PNG, read from its IHDR header."""
    import struct

    with open(path, "rb") as fh:
        head = fh.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return 1.0
    width, height = struct.unpack(">II", head[16:24])
    return width / max(height, 1)


def _section_id(title: str, index: int) -> str:
    """A stable, unique anchor for a section (its position and its title's words)."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"s{index + 1}-{words}"[:60].rstrip("-")


def _errata_links(labels: str, errata_link: str, anchors: bool) -> str:
    """One link per erratum named in ``labels`` (comma separated)."""
    links = []
    for label in (x.strip() for x in labels.split(",") if x.strip()):
        href = f"{errata_link}#{errata_anchor(label)}" if anchors else errata_link
        links.append(f"<a href='{html.escape(href)}'>{html.escape(label)}</a>")
    return ", ".join(links)


def render_report(title: str, intro: str, sections: list[dict], figures: list[dict],
                  errata_link: str, path: Path, *, errata_anchors: bool = True,
                  papers: tuple[Paper, ...] = PAPERS) -> Path:
    """Write the report.

    ``sections``: ``{"title", "rows": [Headline dicts], "text": optional html}``;
    ``figures``: ``{"png": path, "caption": str}``; ``errata_link``: the rendered errata page
    (:func:`qkdbounds.report.errata.render_errata`), whose headings carry the anchors
    :func:`~qkdbounds.report.errata.errata_anchor` gives (``errata_anchors=False`` links to the
    page only, e.g. an online copy without them); ``papers``: cited in full at the top.
    """
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1><p>{intro}</p>"]
    if papers:
        parts.append("<ol class='refs'>" + "".join(
            f"<li id='{html.escape(p.key.replace(' ', ''))}'>{citation_html(p)}</li>" for p in papers) + "</ol>")
    n_bad = sum(1 for s in sections for r in s.get("rows", []) if r.get("agrees") is False)
    parts.append(f"<p><b>{n_bad}</b> headline numbers disagree with the printed papers; each is "
                 f"explained in the <a href='{html.escape(errata_link)}'>errata</a> (docs/errata.md). "
                 "The <i>second route</i> column holds the same quantity as <i>ours</i>, computed "
                 "independently; related numbers that answer another question are in the note.</p>")
    ids = [_section_id(sec["title"], k) for k, sec in enumerate(sections)]
    toc = [(i, sec["title"]) for i, sec in zip(ids, sections)] + ([("figures", "Figures")] if figures else [])
    parts.append("<nav><b>Contents</b><ol class='toc'>" + "".join(
        f"<li><a href='#{i}'>{html.escape(t)}</a></li>" for i, t in toc) + "</ol></nav>")
    for sec, sec_id in zip(sections, ids):
        parts.append(f"<h2 id='{sec_id}'>{html.escape(sec['title'])}</h2>")
        if sec.get("text"):
            parts.append(f"<p>{sec['text']}</p>")
        rows = sec.get("rows", [])
        if rows:
            parts.append("<table><tr><th>quantity</th><th>paper (printed)</th><th>ours</th>"
                         "<th>second route</th><th>agrees with paper</th><th>where</th><th>note</th></tr>")
            for r in rows:
                cls = {False: "bad", True: "ok"}.get(r.get("agrees"), "na")
                flag = _fmt(r.get("agrees"))
                if r.get("errata"):
                    flag += f" ({_errata_links(r['errata'], errata_link, errata_anchors)})"
                parts.append(
                    f"<tr class='{cls}'><td>{_fmt(r['quantity'])}</td><td>{_fmt(r.get('paper'))}</td>"
                    f"<td>{_fmt(r.get('ours'))}</td><td>{_fmt(r.get('second_route'))}</td>"
                    f"<td class='flag'>{flag}</td><td>{_fmt(r.get('where'))}</td>"
                    f"<td>{_fmt(r.get('note'))}</td></tr>")
            parts.append("</table>")
    if figures:
        parts.append("<h2 id='figures'>Figures</h2><div class='figs'>")
        for k, fig in enumerate(figures, 1):
            # multi-panel (wide) figures span the whole row, so their panels stay readable
            cls = ' class="wide"' if _aspect(fig["png"]) > 1.8 else ""
            parts.append(f"<figure id='figure-{k}'{cls}>{_img(fig['png'])}<figcaption>{html.escape(fig['caption'])}"
                         f"</figcaption></figure>")
        parts.append("</div>")
    parts.append("</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, "\n".join(parts))
    return path
