"""Route, hold, escalate, batch and deliver notices — losing none, flooding nobody.

``take`` moves the evaluator's notices (its outbox, kind ``notice``) into the
per-channel queue in one transaction.  ``pump`` then, for every channel:

- waits out its back-off after a failure (``retry_min`` doubling to ``retry_max``);
- sends at most the channel's per-minute limit (the service's documented one or
  lower), counted over the last 60 s;
- after a message that carried several alerts, waits ``batch_gap`` before the next,
  so a storm becomes a few summaries a minute; a summary too long for the service
  is split into several messages, each within its length limit — never truncated
  away, never dropped;
- keeps everything it could not send, in order, for the next pump.

Escalation: an alert still open after a step's ``after`` and not acknowledged in
Alerta (``acked``) is also sent to the step's channels; its resolve goes to every
channel that heard of it.  A channel failing for ``health.failing_for`` raises
its own alert on the ``health.channels`` (and says when it is back).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from alert_rules.state import StateStore
from notify import render
from notify.channels.base import Answer, Channel, Outgoing
from notify.channels.build import build_channel
from notify.config import Escalation, Match, NotifyConfig, QuietHours, Route
from notify.store import ChannelState, NotifyStore, OpenAlert, Queued

log = logging.getLogger(__name__)

HEALTH = "health"
FacilityOpen = Callable[[str, float], bool | None]  # facility id, time → open? (None: unknown)
Acked = Callable[[list[dict[str, Any]]], set[str]]  # open notices → keys acknowledged in Alerta


@dataclass
class PumpReport:
    sent_messages: int = 0
    sent_notices: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # channel → last answer
    escalated: int = 0
    queued: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "sent_messages": self.sent_messages,
            "sent_notices": self.sent_notices,
            "escalated": self.escalated,
            "queued": self.queued,
            "failing": self.failed,
        }


def matches(match: Match, n: dict[str, Any]) -> bool:
    tags: dict[str, str] = n.get("tags", {})
    if match.region:
        codes = [tags.get(level, "") for level in ("county", "city", "province")]
        if not any(c.startswith(code) for code in match.region for c in codes if c):
            return False
    if match.severity and n.get("severity") not in {s.value for s in match.severity}:
        return False
    if match.rule and n.get("rule") not in match.rule:
        return False
    if match.facility_kind and n.get("facility_kind") not in {k.value for k in match.facility_kind}:
        return False
    return not (match.facility and tags.get("facility") not in match.facility)


def quiet_until(q: QuietHours, n: dict[str, Any], now: float, facility_open: FacilityOpen) -> float | None:
    """End of the quiet period ``now`` falls in, or None when the notice may go now."""
    if n.get("severity") in {s.value for s in q.except_severity}:
        return None
    tz = ZoneInfo(q.timezone)
    local = dt.datetime.fromtimestamp(now, tz)
    minute = local.hour * 60 + local.minute
    s, e = q.start_minute, q.end_minute
    inside = (s <= minute < e) if s < e else (minute >= s or minute < e)
    if not inside:
        return None
    if q.unless_open and facility_open(n.get("tags", {}).get("facility", ""), now):
        return None  # the facility is serving the public: its faults are not held
    end = dt.datetime.combine(local.date(), dt.time(), tz) + dt.timedelta(minutes=e)
    if end <= local:
        end += dt.timedelta(days=1)
    return end.timestamp()


class Notifier:
    def __init__(
        self,
        config: NotifyConfig,
        db: sqlite3.Connection,
        channels: Mapping[str, Channel] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        facility_open: FacilityOpen = lambda _f, _t: None,
        acked: Acked | None = None,
    ) -> None:
        self.config = config
        self.store = NotifyStore(db)
        self.clock = clock
        self.facility_open = facility_open
        self.acked = acked
        self.channels: dict[str, Channel] = dict(channels or {})
        self.broken: dict[str, str] = {}  # channel → why it cannot be built (a secret missing)
        for name in config.channels:
            if name in self.channels:
                continue
            try:
                self.channels[name] = build_channel(name, config, clock)
            except LookupError as exc:
                self.broken[name] = str(exc)
                log.error("notification channel %s cannot be used: %s", name, exc)

    # -- intake ----------------------------------------------------------------
    def take(self, state: StateStore, now: float | None = None) -> int:
        """Move the evaluator's queued notices into the channel queues (one transaction); how many."""
        now = self.clock() if now is None else now
        items = state.outbox(limit=5000, kind="notice")
        if not items:
            return 0
        with self.store.transaction():
            for item in items:
                self._intake(item.body, now)
                state.delivered(item.seq)
        return len(items)

    def intake(self, notices: list[dict[str, Any]], now: float | None = None) -> None:
        now = self.clock() if now is None else now
        with self.store.transaction():
            for n in notices:
                self._intake(n, now)

    def _routes(self, n: dict[str, Any]) -> list[Route]:
        return [r for r in self.config.routes if matches(r.match, n)]

    def _not_before(self, route: Route, n: dict[str, Any], now: float) -> float:
        t = now
        if route.quiet_hours is not None:
            t = quiet_until(route.quiet_hours, n, now, self.facility_open) or now
        if route.digest_s > 0:
            t = max(t, math.ceil(now / route.digest_s) * route.digest_s)
        return t

    def _intake(self, n: dict[str, Any], now: float) -> None:
        key = str(n.get("key", ""))
        if n.get("action") == "resolve":
            known = self.store.get_open(key)
            by_name = {r.name: r for r in self.config.routes}
            if known is not None:
                routes = [by_name[r] for r in known.routes if r in by_name]
                told = set(known.told)
                self.store.drop_open(key)
            else:  # told before this configuration (or before notifications were on): route it afresh
                routes = self._routes(n)
                told = {c for r in routes for c in r.channels}
            targets: dict[str, float] = {}
            for r in routes:
                if not r.resolved:
                    continue
                for c in r.channels:
                    targets[c] = min(targets.get(c, math.inf), self._not_before(r, n, now))
            for r in routes:  # escalation channels that heard of it hear of the resolve too (after it, in order)
                for step in r.escalate:
                    for c in step.channels:
                        if c in told and r.resolved:
                            targets.setdefault(c, self._not_before(r.model_copy(update={"digest_s": 0.0}), n, now))
            for c, t in targets.items():
                if c in told:
                    self.store.enqueue(c, n, now, t)
            return
        routes = self._routes(n)
        if not routes:
            return
        targets = {}
        for r in routes:
            for c in r.channels:
                targets[c] = min(targets.get(c, math.inf), self._not_before(r, n, now))
        for c, t in targets.items():
            self.store.enqueue(c, n, now, t)
        self.store.put_open(OpenAlert(key, n, [r.name for r in routes], sorted(targets)))

    # -- escalation ------------------------------------------------------------
    def _steps(self, alert: OpenAlert) -> list[tuple[Route, Escalation]]:
        by_name = {r.name: r for r in self.config.routes}
        steps = [(by_name[name], s) for name in alert.routes if name in by_name for s in by_name[name].escalate]
        return sorted(steps, key=lambda rs: rs[1].after_s)

    def escalate(self, now: float, report: PumpReport) -> None:
        due: list[tuple[OpenAlert, Route, Escalation]] = []
        for alert in self.store.open_alerts():
            steps = self._steps(alert)
            since = float(alert.notice.get("since", now))
            if alert.escalated < len(steps) and now - since >= steps[alert.escalated][1].after_s:
                due.append((alert, *steps[alert.escalated]))
        if not due:
            return
        acked: set[str] = set()
        if self.acked is not None:
            try:
                acked = self.acked([a.notice for a, _, _ in due])
            except Exception as exc:  # Alerta unreachable: escalate rather than stay silent
                log.warning("cannot ask Alerta which alerts are acknowledged, escalating: %s", exc)
        with self.store.transaction():
            for alert, route, step in due:
                if alert.key in acked:
                    continue  # acknowledged in Alerta: somebody is on it
                since = float(alert.notice["since"])
                n = {**alert.notice, "escalated_after": step.after_s, "duration_s": now - since}
                # The route's quiet hours hold an escalation too (a critical one, or an open facility's, goes).
                not_before = self._not_before(route.model_copy(update={"digest_s": 0.0}), n, now)
                for c in step.channels:
                    self.store.enqueue(c, n, now, not_before)
                alert.told = sorted(set(alert.told) | set(step.channels))
                alert.escalated += 1
                self.store.put_open(alert)
                report.escalated += 1

    # -- delivery --------------------------------------------------------------
    def pump(self, now: float | None = None) -> PumpReport:
        now = self.clock() if now is None else now
        report = PumpReport()
        self.escalate(now, report)
        for name in self.config.channels:
            self._deliver(name, now, report)
        self._health(now)
        report.queued = self.store.queued()
        return report

    def _render(self, n: dict[str, Any]) -> Outgoing:
        lang, tz = self.config.language, self.config.timezone
        if n.get("action") == HEALTH:
            return render.channel_health(
                n["channel"], float(n["failing_s"]), n["last_error"], int(n["queued"]), lang, up=bool(n.get("up"))
            )
        esc = n.get("escalated_after")
        return render.single(n, self.config.links, tz, lang, escalated_after=float(esc) if esc is not None else None)

    def pack(self, channel: Channel, due: list[Queued]) -> tuple[int, Outgoing]:
        """How many of ``due`` (from the front) go in the next message, and the message."""
        first = due[0].notice
        if len(due) == 1 or first.get("action") == HEALTH:
            return 1, self._fit_single(channel, self._render(first))
        escalated = "escalated_after" in first
        group: list[dict[str, Any]] = []
        for q in due:  # a run of the same kind: ordinary notices, or escalations (health messages go alone)
            if q.notice.get("action") == HEALTH or ("escalated_after" in q.notice) != escalated:
                break
            group.append(q.notice)
        if len(group) == 1:
            return 1, self._fit_single(channel, self._render(first))
        lang, tz = self.config.language, self.config.timezone
        lo, hi = 1, min(len(group), self.config.delivery.list_max)
        best = 0
        while lo <= hi:  # the most notices whose summary fits the service's length limit
            mid = (lo + hi) // 2
            msg = render.batch(group[:mid], tz, lang, remaining=len(due) - mid, escalated=escalated)
            if channel.fits(msg):
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        if best <= 1:
            return 1, self._fit_single(channel, self._render(first))
        return best, render.batch(group[:best], tz, lang, remaining=len(due) - best, escalated=escalated)

    @staticmethod
    def _fit_single(channel: Channel, msg: Outgoing) -> Outgoing:
        """One alert that is too long for the service (an SMS): the first lines that fit, never nothing."""
        if channel.fits(msg):
            return msg
        lines = msg.text.split("\n\n")
        while len(lines) > 1:
            lines.pop()
            cut = Outgoing(msg.title, "\n\n".join(lines), msg.severity, msg.data)
            if channel.fits(cut):
                return cut
        text = lines[0] if lines else ""
        while text and not channel.fits(Outgoing(msg.title, text, msg.severity, msg.data)):
            text = text[: max(0, len(text) - 10)]
        title = msg.title
        while not text and title and not channel.fits(Outgoing(title, "", msg.severity, msg.data)):
            title = title[: max(0, len(title) - 5)]
        return Outgoing(title, text, msg.severity, msg.data)

    def _deliver(self, name: str, now: float, report: PumpReport) -> None:
        st = self.store.channel(name)
        if st.next_try > now:
            return
        due = self.store.due(name, now)
        if not due:
            return
        gap = self.config.delivery.batch_gap_s
        if st.last_sent is not None and (st.last_batch or len(due) > 1) and now - st.last_sent < gap:
            return  # storm: collect for the next summary
        channel = self.channels.get(name)
        sent = self.store.sent_in_window(name, now)
        limit = channel.per_minute if channel is not None else 1
        if len(due) > 1:  # a storm: a few summaries a minute, the rest waits (in order) for the next minute
            limit = min(limit, self.config.delivery.storm_per_minute)
        per_second = getattr(channel, "per_second", None)  # Feishu: 5 a second besides 100 a minute
        while due and len(sent) < limit:
            if per_second is not None and sum(1 for t in sent if t > now - 1.0) >= per_second:
                break
            if channel is None:
                answer, k = Answer(False, "config", self.broken.get(name, "not configured"), retry=False), 1
            else:
                k, msg = self.pack(channel, due)
                answer = channel.send(msg)
            batch_seqs = [q.seq for q in due[:k]]
            if not answer.ok:
                self.store.attempted(batch_seqs)
                st.failures += 1
                st.failing_since = st.failing_since or now
                st.last_error = answer.describe()
                backoff = min(
                    self.config.delivery.retry_max_s, self.config.delivery.retry_min_s * 2 ** (st.failures - 1)
                )
                st.next_try = now + (max(backoff, 60.0) if answer.rate_limited else backoff)
                report.failed[name] = st.last_error
                log.warning(
                    "channel %s: %s; %d kept, next try in %.0f s", name, st.last_error, len(due), st.next_try - now
                )
                break
            self.store.delivered(batch_seqs)
            self.store.record_sent(name, now)
            sent.append(now)
            report.sent_messages += 1
            report.sent_notices += k
            st.last_sent, st.last_batch = now, k > 1
            if st.failing_since is not None and st.alarmed:
                self._health_notice(name, st, now, up=True)
            st.failures, st.failing_since, st.next_try, st.alarmed = 0, None, 0.0, False
            due = due[k:]
        self.store.save_channel(st)

    # -- channel health ----------------------------------------------------------
    def _health(self, now: float) -> None:
        for name in self.config.channels:
            st = self.store.channel(name)
            if st.failing_since is None and name in self.broken and self.store.queued(name):
                st.failing_since = now
            if st.failing_since is None or st.alarmed or now - st.failing_since < self.config.health.failing_s:
                continue
            st.alarmed = True
            self._health_notice(name, st, now, up=False)
            self.store.save_channel(st)

    def _health_notice(self, name: str, st: ChannelState, now: float, *, up: bool) -> None:
        n = {
            "action": HEALTH,
            "key": f"channel|{name}",
            "channel": name,
            "failing_s": now - (st.failing_since or now),
            "last_error": st.last_error,
            "queued": self.store.queued(name),
            "up": up,
            "severity": "major",
        }
        for target in self.config.health.channels:
            if target != name:
                self.store.enqueue(target, n, now, now)
