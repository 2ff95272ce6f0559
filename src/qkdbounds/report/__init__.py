"""Reproduction report: headline numbers (paper vs ours), a self-contained HTML page and the
errata rendered beside it."""

from .errata import errata_anchor, render_errata
from .headlines import Headline, paper1_headlines
from .html import render_report
from .references import PAPERS, Paper

__all__ = ["Headline", "PAPERS", "Paper", "errata_anchor", "paper1_headlines", "render_errata",
           "render_report"]
