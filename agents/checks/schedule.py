"""Run the checks on their own schedule and keep the latest results for scrapes.

Scrapes only read the cache; checks run in one background thread every
``interval_s``.  A check that raises, or has no implementation for this
platform, is cached as ``unknown`` with the reason: it never stops the others
or the agent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from agents.checks.base import Check, CheckResult, Context, Outcome, host_platform, unknown

log = logging.getLogger(__name__)


def run_check(check: Check, ctx: Context, platform: str, level: str) -> CheckResult:
    started = time.monotonic()
    fn = check.for_platform(platform)
    outcome: Outcome
    if fn is None:
        outcome = unknown(f"no {platform} implementation")
    else:
        try:
            outcome = fn(ctx)
        except Exception as exc:  # a broken check must not take the agent down
            log.warning("check %s failed: %s", check.id, exc, exc_info=log.isEnabledFor(logging.DEBUG))
            outcome = unknown(f"check error: {type(exc).__name__}: {exc}")
    return CheckResult(
        check=check.id,
        status=outcome.status,
        detail=" ".join(outcome.detail.split())[:1000],
        mlps_item=check.mlps_item(level),
        mlps_level=level,
        severity=check.severity,
        checked_at=ctx.now(),
        duration_s=round(time.monotonic() - started, 3),
    )


class CheckScheduler:
    def __init__(
        self,
        checks: Sequence[Check],
        ctx: Context | None = None,
        *,
        interval_s: float = 3600.0,
        level: str = "2",
        platform: str | None = None,
    ) -> None:
        self.checks = tuple(checks)
        self.ctx = ctx or Context()
        self.interval_s = interval_s
        self.level = level
        self.platform = platform or host_platform()
        self._results: dict[str, CheckResult] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def run_once(self) -> list[CheckResult]:
        out = []
        for check in self.checks:
            res = run_check(check, self.ctx, self.platform, self.level)
            with self._lock:
                self._results[check.id] = res
            out.append(res)
        self.runs += 1
        return out

    def results(self) -> list[CheckResult]:
        with self._lock:
            return list(self._results.values())

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="pdcs-checks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # pragma: no cover - run_check already shields each check
                log.exception("check cycle failed")
            self._stop.wait(self.interval_s)
