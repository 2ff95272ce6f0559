"""Self-contained HTML report: figures embedded as base64 PNG, comparison tables (no science)."""

from __future__ import annotations

from .._io import write_text_atomic

import base64
import html
from pathlib import Path

__all__ = ["render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.bad td{background:#fff1f0}tr.ok td.flag{color:#1a7f37}tr.bad td.flag{color:#cf222e}
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:1em}
figure{margin:0;border:1px solid #eee;padding:.5em}figure img{width:100%}
figure.wide{grid-column:1/-1}
figcaption{font-size:.85em;color:#555}code{background:#f6f8fa;padding:0 .2em}
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


def render_report(title: str, intro: str, sections: list[dict], figures: list[dict],
                  errata_link: str, path: Path) -> Path:
    """Write the report.

    ``sections``: ``{"title", "rows": [Headline dicts], "text": optional html}``;
    ``figures``: ``{"png": path, "caption": str}``.
    """
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1><p>{intro}</p>"]
    n_bad = sum(1 for s in sections for r in s.get("rows", []) if r.get("agrees") is False)
    parts.append(f"<p><b>{n_bad}</b> headline numbers disagree with the printed papers; each is "
                 f"explained in <a href='{html.escape(errata_link)}'>docs/errata.md</a>.</p>")
    for sec in sections:
        parts.append(f"<h2>{html.escape(sec['title'])}</h2>")
        if sec.get("text"):
            parts.append(f"<p>{sec['text']}</p>")
        rows = sec.get("rows", [])
        if rows:
            parts.append("<table><tr><th>quantity</th><th>paper (printed)</th><th>ours</th>"
                         "<th>second route</th><th>agrees</th><th>where</th><th>note</th></tr>")
            for r in rows:
                cls = "bad" if r.get("agrees") is False else "ok"
                flag = _fmt(r.get("agrees"))
                if r.get("errata"):
                    flag += f" (<a href='{html.escape(errata_link)}'>{html.escape(r['errata'])}</a>)"
                parts.append(
                    f"<tr class='{cls}'><td>{_fmt(r['quantity'])}</td><td>{_fmt(r.get('paper'))}</td>"
                    f"<td>{_fmt(r.get('ours'))}</td><td>{_fmt(r.get('second_route'))}</td>"
                    f"<td class='flag'>{flag}</td><td>{_fmt(r.get('where'))}</td>"
                    f"<td>{_fmt(r.get('note'))}</td></tr>")
            parts.append("</table>")
    if figures:
        parts.append("<h2>Figures</h2><div class='figs'>")
        for fig in figures:
            # multi-panel (wide) figures span the whole row, so their panels stay readable
            cls = ' class="wide"' if _aspect(fig["png"]) > 1.8 else ""
            parts.append(f"<figure{cls}>{_img(fig['png'])}<figcaption>{html.escape(fig['caption'])}"
                         f"</figcaption></figure>")
        parts.append("</div>")
    parts.append("</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, "\n".join(parts))
    return path
