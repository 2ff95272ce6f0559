"""The two papers the report reproduces, cited in full (metadata only, no science).

Paper 1: title, authors and arXiv identifier as printed on its first page
(``papers/leakage-cc-attack-2026.txt``); its DOI is the one arXiv registers for every preprint.
Paper 2: the journal reference as printed in the running header of the text we hold
(``papers/diqkd-upper-bounds-2021.txt``: "PHYSICAL REVIEW LETTERS 126, 160501 (2021)"), the
APS DOI of that reference, and the paper's arXiv preprint.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["Paper", "PAPERS", "citation_html"]


@dataclass(frozen=True)
class Paper:
    """One cited paper."""

    key: str
    authors: tuple[str, ...]
    title: str
    venue: str
    year: int
    arxiv: str
    doi: str

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}"

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}"


PAPERS: tuple[Paper, ...] = (
    Paper("paper 1", ("Shubhayan Sarkar", "Tushita Prasad", "Karol Horodecki"),
          "Entanglement is not sufficient for most practical entanglement-based QKD protocols",
          "arXiv preprint (quant-ph)", 2026, "2603.06400", "10.48550/arXiv.2603.06400"),
    Paper("paper 2", ("Matthias Christandl", "Roberto Ferrara", "Karol Horodecki"),
          "Upper Bounds on Device-Independent Quantum Key Distribution",
          "Phys. Rev. Lett. 126, 160501", 2021, "1905.06863", "10.1103/PhysRevLett.126.160501"),
)


def _authors(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def citation_html(paper: Paper) -> str:
    """``Authors, "Title", venue (year), arXiv:id, doi:...`` with links."""
    e = html.escape
    return (f"{e(_authors(paper.authors))}, &ldquo;{e(paper.title)}&rdquo;, {e(paper.venue)} "
            f"({paper.year}), <a href='{e(paper.arxiv_url)}'>arXiv:{e(paper.arxiv)}</a>, "
            f"doi: <a href='{e(paper.doi_url)}'>{e(paper.doi)}</a>")
