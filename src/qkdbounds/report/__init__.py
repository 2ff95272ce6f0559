"""Reproduction report: headline numbers (paper vs ours) and a self-contained HTML page."""

from .headlines import Headline, paper1_headlines
from .html import render_report

__all__ = ["Headline", "paper1_headlines", "render_report"]
