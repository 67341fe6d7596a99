"""What the hostile-input tests watch while an attack runs: answers to /health and the server's memory.

Memory is read from ``/proc/<pid>/status`` (VmRSS and VmHWM, the peak), so a bound is checked on the real
server process, not on the test process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` now, in KiB."""
    return _status(pid, "VmRSS")


def peak_kb(pid: int) -> int:
    """The highest resident memory ``pid`` ever had (VmHWM), in KiB."""
    return _status(pid, "VmHWM")


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise LookupError(key)


@dataclass
class HealthWatch:
    """Asks ``url`` every 0.2 s in a thread (each ask with a 2 s time-out) until stopped."""

    url: str
    answers: list[int] = field(default_factory=list)  # status codes; 0 = no answer within 2 s
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> HealthWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=10)

    def _run(self) -> None:
        with httpx.Client(timeout=2.0) as client:
            while not self._stop.is_set():
                try:
                    self.answers.append(client.get(self.url).status_code)
                except httpx.HTTPError:
                    self.answers.append(0)
                time.sleep(0.2)

    def all_answered(self) -> bool:
        """Each ask answered 200 within 2 s (and there was at least one)."""
        return bool(self.answers) and all(code == 200 for code in self.answers)
