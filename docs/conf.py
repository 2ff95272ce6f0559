"""Sphinx configuration of the qkdbounds documentation site (``make docs``)."""

from __future__ import annotations

import functools
import sys
import tomllib
from pathlib import Path

from sphinx_gallery.scrapers import matplotlib_scraper
from sphinx_gallery.sorting import ExplicitOrder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # a source checkout builds without installing

_meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
project = "qkdbounds"
author = "The qkdbounds developers"
copyright = f"2026, {author}"
release = _meta["version"]
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# API reference: one page per public name / module, generated at build time into docs/generated/
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types; signatures stay readable
numpydoc_show_class_members = False  # dataclass fields are documented in "Attributes"
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Method notes and errata are Markdown (MyST): $...$ math, anchors for every heading to level 3
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Gallery: every script in examples/ is executed at build time and its figures captured
# (docs/auto_examples/, generated; the scripts stay plain `# %%` Python that tests/test_examples.py
# runs). An example that raises fails the build.
# Legends of the library's figures sit outside the axes: save like qkdbounds.plotting.save_figure
# does (bbox_inches="tight"), so they are not cut off.  A partial of an importable function
# pickles, so Sphinx caches the configuration without a warning.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",          # execute every example, not only plot_*.py
    "ignore_pattern": r"__init__\.py",
    # from a first bound to the papers' special cases; a new example not listed goes last
    "within_subsection_order": ExplicitOrder([
        "threshold_and_rate.py", "own_matrix.py", "recorded_data.py", "repeater_budget.py",
        "network_map.py", "werner_window.py", "diqkd_rho_d.py", "povm_study.py", "*"]),
    "image_scrapers": (functools.partial(matplotlib_scraper, bbox_inches="tight"),),
    "abort_on_example_error": True,
    "run_stale_examples": True,  # always re-run: the numbers shown are this version's
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
}

html_theme = "furo"
html_title = f"qkdbounds {release}"
html_static_path: list[str] = []

# Objects left out of the API reference because their docstring is not valid reST (the library
# source is not edited for the docs); each with the reason.
AUTODOC_EXCLUDE = {
    # "|simulated - product law|" in the docstring is read as a reST substitution reference
    ("qkdbounds.repeaters.chain", "ATOL_LAW"),
}


def _skip_excluded(app, what, name, obj, skip, options):
    module = getattr(app.env, "temp_data", {}).get("autodoc:module") or app.env.ref_context.get("py:module")
    if (module, name) in AUTODOC_EXCLUDE:
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_excluded)


sys.path.insert(0, str(Path(__file__).parent))
from _apigen import write_toplevel_page  # noqa: E402 - docs/ helper, after the path is set

write_toplevel_page(Path(__file__).parent / "generated")
