"""A minimal headless-Chromium driver for the report test: the Chrome DevTools Protocol over
``--remote-debugging-pipe`` (file descriptors 3 and 4, NUL-terminated JSON messages), so no
websocket library and no browser download are needed.  Debian's ``chromium`` package."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

#: flags that keep a headless run quiet, offline and reproducible
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio",
    "--hide-scrollbars", "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """``$QKDBOUNDS_CHROMIUM`` if set (empty: none), else Debian's ``/usr/bin/chromium``."""
    if "QKDBOUNDS_CHROMIUM" in os.environ:
        path = os.environ["QKDBOUNDS_CHROMIUM"]
        return path if path and os.access(path, os.X_OK) else None
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


class CDPError(RuntimeError):
    pass


class Chromium:
    """One headless browser with one page; events are collected while commands wait."""

    def __init__(self, executable: str, profile_dir: Path, *, timeout: float = 20.0,
                 width: int = 1280, height: int = 900):
        self.timeout = timeout
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the browser reads commands on fd 3 and writes on fd 4; park the child's ends at fds >= 10
        # first, so that moving them to 3 and 4 in the child cannot overwrite one with the other
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def child_fds() -> None:
            os.dup2(child_r, 3)   # dup2 clears close-on-exec: 3 and 4 survive the exec, the rest not
            os.dup2(child_w, 4)

        try:
            self.proc = subprocess.Popen(
                [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}",
                 f"--window-size={width},{height}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=child_fds, close_fds=False)
        finally:
            os.close(child_r)
            os.close(child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session = None
        try:
            targets = self.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            self.session = self.send("Target.attachToTarget", targetId=page["targetId"],
                                     flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.send(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    # -- protocol -------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise CDPError(f"chromium closed the pipe (exit code {self.proc.poll()})")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, **params) -> dict:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params}
        if self.session is not None and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, since: int = 0) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self.events[since:]:
                if event["method"] == method:
                    return event
            since = len(self.events)
            self.events.append(self._read_message(deadline))

    # -- page -----------------------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Navigate and wait for the load event (every image decoded or failed)."""
        mark = len(self.events)
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise CDPError(f"{url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired", since=mark)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise CDPError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (failed loads) so far."""
        found = []
        for event in self.events:
            p = event.get("params", {})
            if event["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                found.append("console." + p["type"] + ": " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif event["method"] == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:500])
            elif event["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                entry = p["entry"]
                found.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}")
        return found

    def screenshot(self, path: Path, width: int = 1280, max_height: int = 16000) -> Path:
        """The whole page (up to ``max_height`` CSS pixels) as a PNG."""
        # measured at the window's own size (an earlier override would pad the page to its height)
        self.send("Emulation.clearDeviceMetricsOverride")
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        height = max(1, min(height, max_height))
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        try:
            data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                             clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})["data"]
        finally:
            self.send("Emulation.clearDeviceMetricsOverride")
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.session = None
                    self.send("Browser.close")
                except (CDPError, OSError, TimeoutError):
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
