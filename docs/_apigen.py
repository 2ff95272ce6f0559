"""The top-level API page of the docs, generated from ``qkdbounds.__all__`` on every build.

Generated, so the reference cannot fall behind the curated public API (checked by
``tests/test_docs_build.py`` without Sphinx).
"""

from __future__ import annotations

from pathlib import Path


def toplevel_page() -> str:
    """reST of the page that lists every name of ``qkdbounds.__all__`` for autosummary."""
    import qkdbounds

    title = "The public API: ``import qkdbounds as qb``"
    lines = [
        title,
        "=" * len(title),
        "",
        "Every name in ``qkdbounds.__all__`` (loaded lazily: heavy libraries load on first use).",
        "",
        ".. currentmodule:: qkdbounds",
        "",
        ".. autosummary::",
        "   :toctree: .",
        "",
        *(f"   {name}" for name in sorted(qkdbounds.__all__)),
        "",
    ]
    return "\n".join(lines)


def write_toplevel_page(out_dir: Path) -> Path:
    """Write ``qkdbounds.rst`` into ``out_dir`` (untouched when unchanged: no rebuild)."""
    out = Path(out_dir) / "qkdbounds.rst"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = toplevel_page()
    if not out.exists() or out.read_text() != text:
        out.write_text(text)
    return out
