"""The errata (``docs/errata.md``) as an HTML page beside the report, one anchor per heading.

An erratum heading starts with its label (``### E1.1 Uniform-leakage threshold ...``,
``### R1. Chain visibility ...``); its anchor is the label itself (``errata.html#E1.1``), so a
report row that names an erratum links straight to it.  Other headings get a slug of their text
(``Clarifications (not errors)`` -> ``clarifications-not-errors``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from .._io import write_text_atomic

__all__ = ["errata_anchor", "render_errata"]

_LABEL = re.compile(r"^([A-Z]\d+(?:\.\d+)?)(?:[.:]|\s|$)")


def errata_anchor(heading: str) -> str:
    """The anchor of an errata heading (or of a label that names one).

    Examples
    --------
    >>> errata_anchor("E1.1 Uniform-leakage threshold: Eq. (19)")
    'E1.1'
    >>> errata_anchor("R1. Chain visibility after n repeaters")
    'R1'
    >>> errata_anchor("Clarifications (not errors)")
    'clarifications-not-errors'
    """
    heading = heading.strip()
    label = _LABEL.match(heading)
    if label:
        return label.group(1)
    slug = re.sub(r"[^\w\s-]", "", heading.lower(), flags=re.UNICODE)
    return re.sub(r"[\s_-]+", "-", slug).strip("-") or "section"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
h3:target,h2:target{background:#fff8c5}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}
code{background:#f6f8fa;padding:0 .2em}pre{background:#f6f8fa;padding:.6em;overflow-x:auto}
"""


def render_errata(markdown_text: str, path: Path, *, back_link: str = "report.html") -> Path:
    """Render the errata markdown to ``path`` (CommonMark + tables, raw HTML escaped), with an
    ``id`` on every heading (:func:`errata_anchor`; repeats get ``-2``, ``-3``, ...) and a link
    back to the report."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(markdown_text)
    seen: dict[str, int] = {}
    title = "Errata"
    for k, tok in enumerate(tokens):
        if tok.type != "heading_open":
            continue
        text = tokens[k + 1].content
        if tok.tag == "h1":
            title = text
        anchor = errata_anchor(text)
        seen[anchor] = seen.get(anchor, 0) + 1
        tok.attrSet("id", anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")
    body = md.renderer.render(tokens, md.options, {})
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><p><a href='{html.escape(back_link)}'>back to the "
            f"report</a></p>\n{body}</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, page)
    return path
