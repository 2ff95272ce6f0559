"""The report in a real browser (issue 22, item 6): `report.html` and `errata.html` opened in
headless Chromium (Debian's package), with no broken image, no console error, no link to a
missing anchor or file, no horizontal overflow; a full-page screenshot is saved (path printed).

Skips, with the reason printed in the summary, where Chromium is not installed (.ci/run
installs it)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from _chromium import Chromium, find_chromium

CHROMIUM = find_chromium()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not found (/usr/bin/chromium; Debian package "
                             "`chromium`, installed by .ci/run): report.html not checked in a browser")

#: what the page reports about itself, evaluated in the browser after the load event
PAGE_FACTS = """(() => ({
  images: [...document.images].map(i => ({src: i.getAttribute('src').slice(0, 40), alt: i.alt,
                                           complete: i.complete, width: i.naturalWidth})),
  hrefs: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
}))()"""


def _check_page(browser: Chromium, path: Path) -> dict:
    browser.open(path.as_uri())
    facts = browser.evaluate(PAGE_FACTS)
    broken = [img for img in facts["images"] if not img["complete"] or img["width"] == 0]
    assert not broken, f"{path.name}: broken images {broken}"
    assert facts["overflow"] <= 0, f"{path.name}: the page is {facts['overflow']} px wider than the window"
    ids = set(facts["ids"])
    missing = [h for h in facts["hrefs"] if h.startswith("#") and unquote(h[1:]) not in ids]
    assert not missing, f"{path.name}: links to missing anchors {missing}"
    return facts


def _local_targets(hrefs: list[str]) -> dict[str, set[str]]:
    """Relative links to other files: file name -> anchors wanted there."""
    targets: dict[str, set[str]] = {}
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or href.startswith("#"):
            continue
        targets.setdefault(unquote(parts.path), set()).update({unquote(parts.fragment)} - {""})
    return targets


def test_report_in_headless_chromium(reproduced, tmp_path):
    report = reproduced.report
    with Chromium(CHROMIUM, tmp_path / "profile") as browser:
        facts = _check_page(browser, report)
        assert len(facts["images"]) == len(reproduced.summary["figures"])
        shot = browser.screenshot(tmp_path / "report.png")
        print(f"report screenshot: {shot}")
        targets = _local_targets(facts["hrefs"])
        assert "errata.html" in targets and targets["errata.html"], targets
        for name, anchors in targets.items():
            target = report.parent / name
            assert target.is_file(), f"report.html links to a missing file {name}"
            if target.suffix == ".html":
                other = _check_page(browser, target)
                missing = anchors - set(other["ids"])
                assert not missing, f"report.html links to missing anchors of {name}: {sorted(missing)}"
                back = _local_targets(other["hrefs"])
                assert all((target.parent / n).is_file() for n in back), back
        errata_shot = browser.screenshot(tmp_path / "errata.png")
        print(f"errata screenshot: {errata_shot}")
        errors = browser.console_errors()
    assert not errors, json.dumps(errors, indent=1)
    assert shot.stat().st_size > 10_000
