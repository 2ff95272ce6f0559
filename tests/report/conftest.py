"""One `qkdbounds reproduce` run shared by the report tests (it takes ~20 s), and the browser
test's skip reason printed in the summary (it is easy to miss as one 's')."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from qkdbounds.cli.main import main


@dataclass(frozen=True)
class Reproduced:
    out: Path
    summary: dict     # the JSON object `reproduce --json` printed

    @property
    def report(self) -> Path:
        return self.out / "report.html"


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Reproduced:
    out = tmp_path_factory.mktemp("reproduce")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["reproduce", "--out", str(out), "--points", "11", "--quiet", "--json"])
    assert code == 0, stdout.getvalue()
    return Reproduced(out, json.loads(stdout.getvalue()))


def pytest_terminal_summary(terminalreporter) -> None:
    for report in terminalreporter.stats.get("skipped", []):
        if "test_report_browser" in report.nodeid:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            terminalreporter.write_line(f"report browser test skipped: {reason}", yellow=True)
            break
