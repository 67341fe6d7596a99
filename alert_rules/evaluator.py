"""The evaluator: rules → observations → state per (rule, resource) → messages for Alerta.

States: inactive (no row) → pending (bad, not yet for ``for``) → firing →
resolved (condition false for ``resolve_after``; Alerta gets severity normal,
the row goes).  Alerta hears about transitions, plus a refresh at half its
timeout so a long fault does not expire; never every evaluation.

A rule whose query fails leaves its states untouched: an InfluxDB outage must
not look like every fault clearing at once.  Messages go through the outbox
(``state.py``), so Alerta being down delays them and loses none.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from alert_rules.alerta import AlertaClient, AlertaRejected, AlertaUnavailable
from alert_rules.message import MessageContext, alert_body
from alert_rules.model import Links, Rule
from alert_rules.notice import OPEN, RESOLVE, notice_body
from alert_rules.observe import IsOpen, Observation, ObserveContext, RuleRunner, device_tag_index
from alert_rules.opening import is_open as default_is_open
from alert_rules.state import FIRING, PENDING, AlertState, Key, StateStore
from alert_rules.stores import SEEING, Blind, StoreSet
from inventory.models import Inventory
from pdcs.storage import InfluxDB, InfluxError
from supervision.maintenance import MaintenanceSchedule, Window

log = logging.getLogger(__name__)
# An open alert whose covering collector went silent: nobody knows whether the device is down.
NO_DATA = ("【无数据：采集器离线】", "[No data: collector offline] ")
REOPEN = "_pdcs_reopen"  # outbox-only key: after sending, set the alert's status back to open with this note


@dataclass
class CycleReport:
    started: float
    duration_s: float = 0.0
    observed: int = 0
    pending: int = 0
    firing: int = 0
    suppressed: int = 0
    no_data: int = 0  # firing alerts held because no collector covering their device is alive
    maintenance: int = 0  # firing alerts inside a maintenance window (recorded in Alerta, nobody notified)
    opened: list[Key] = field(default_factory=list)
    resolved: list[Key] = field(default_factory=list)
    refreshed: int = 0
    delivered: int = 0
    rejected: int = 0
    outbox: int = 0
    alerta_up: bool = True
    failed_rules: dict[str, str] = field(default_factory=dict)
    failed_stores: dict[str, str] = field(default_factory=dict)  # a province store that did not answer → error
    rule_s: dict[str, float] = field(default_factory=dict)  # query + observation time per rule

    def summary(self) -> dict[str, Any]:
        return {
            "cycle_s": round(self.duration_s, 3),
            "observed": self.observed,
            "pending": self.pending,
            "firing": self.firing,
            "suppressed": self.suppressed,
            "no_data": self.no_data,
            "maintenance": self.maintenance,
            "opened": len(self.opened),
            "resolved": len(self.resolved),
            "refreshed": self.refreshed,
            "delivered": self.delivered,
            "rejected": self.rejected,
            "outbox": self.outbox,
            "alerta_up": self.alerta_up,
            "failed_rules": self.failed_rules,
            "failed_stores": self.failed_stores,
        }


class Evaluator:
    def __init__(
        self,
        rules: list[Rule],
        influx: InfluxDB,
        inventory: Inventory,
        store: StateStore,
        alerta: AlertaClient | None,
        *,
        environment: str = "Production",
        timeout_s: int = 3600,
        language: str = "zh",
        origin: str | None = None,
        clock: Callable[[], float] = time.time,
        is_open: IsOpen = default_is_open,
        heartbeat_timeout_s: int = 300,
        notify: bool = False,
        maintenance: MaintenanceSchedule | None = None,
        links: Links | None = None,
        on_cycle_end: Callable[[float], None] | None = None,
        stores: Sequence[tuple[frozenset[str] | None, InfluxDB]] | None = None,
    ) -> None:
        """``stores``: the shard map's stores (``ShardMap.stores()``), read each on its own so one that is
        down holds up no other (``stores.py``); None: ``influx`` alone."""
        self.rules = {r.name: r for r in rules}
        # Derived rules (facility_down over device_down) after the rules they read.
        self.runners = [RuleRunner(r) for r in sorted(rules, key=lambda r: r.derive is not None)]
        self.device_tags = device_tag_index(inventory)
        self.influx = influx
        self.stores = StoreSet(stores) if stores is not None and len(stores) > 1 else None
        self.inventory = inventory
        self.store = store
        self.alerta = alerta
        self.clock = clock
        self.is_open = is_open
        self.origin = origin or f"pdcs-alerts/{socket.gethostname()}"
        self.ctx = MessageContext(inventory, environment, self.origin, timeout_s, language, links or Links())
        # notify: queue a notice (notify/) beside each Alerta open and resolve, in the same transaction.
        self.notify = notify
        self.maintenance = maintenance or MaintenanceSchedule()
        self.on_cycle_end = on_cycle_end  # e.g. the notifier's intake and delivery, after the cycle's commit
        self.refresh_s = timeout_s / 2
        self.heartbeat_timeout_s = heartbeat_timeout_s

    # -- one cycle ----------------------------------------------------------
    def cycle(self, now: float | None = None, *, deliver: bool = True) -> CycleReport:
        t0 = time.perf_counter()
        now = self.clock() if now is None else now
        report = CycleReport(started=now)
        states = self.store.load()
        upserts: dict[Key, AlertState] = {}
        deletes: list[Key] = []
        messages: list[tuple[str, dict[str, Any]]] = []
        ctx = ObserveContext(self.influx, self.inventory, self.device_tags, now, self.is_open, stores=self.stores)

        for runner in self.runners:
            rule = runner.rule
            t_rule = time.perf_counter()
            try:
                observations = runner.observe(ctx)
                if self._gated(rule):
                    observations += self._held(rule, observations, states, ctx)
                ctx.results[rule.name] = observations
            except InfluxError as exc:
                log.warning("rule %s: query failed, its alerts are kept as they are: %s", rule.name, exc)
                report.failed_rules[rule.name] = str(exc)
                continue
            finally:
                report.rule_s[rule.name] = round(time.perf_counter() - t_rule, 4)
            report.observed += len(observations)
            self._step(rule, observations, states, now, upserts, deletes, messages, report, ctx.blind.get(rule.name))
        if ctx.down and self.stores is not None:  # once per store and cycle, whatever the number of rules
            for index, error in sorted(ctx.down.items()):
                name = self.stores.name(index)
                report.failed_stores[name] = error
                log.warning("store %s unreachable, its provinces' alerts kept as they are: %s", name, error)

        # Suppression: a resource's alert stays quiet while a rule that covers it is pending or firing
        # (so a facility going dark opens ONE facility alert, not one per device).
        covered: dict[str, set[tuple[str, str]]] = {}
        for st in states.values():
            coverer = self.rules.get(st.rule)
            if coverer is None:
                continue
            for sup in coverer.suppresses:
                value = st.info.get("tags", {}).get(sup.by)
                if value:
                    covered.setdefault(sup.rule, set()).add((sup.by, value))
        for key, st in states.items():
            fired = self.rules.get(st.rule)
            if fired is None or st.status != FIRING:
                continue
            report.firing += 1
            report.no_data += bool(st.info.get("no_data"))
            tags = st.info.get("tags", {})
            quiet = any(tags.get(by) == value for by, value in covered.get(st.rule, ()))
            window = self.maintenance.active(tags, now, st.resource)
            muted = st.info.get("maintenance")
            if window is not None:
                report.maintenance += 1
            if not st.announced:
                if quiet:
                    report.suppressed += 1
                    continue
                st.announced, st.last_sent = True, now
                self._announce(fired, st, window, now, messages)
                upserts[key] = st
                report.opened.append(key)
            elif (window is None) != (muted is None):  # a window began or ended while it fires
                st.last_sent = now
                self._announce(fired, st, window, now, messages)
                upserts[key] = st
            elif st.last_sent is None or now - st.last_sent >= self.refresh_s:
                st.last_sent = now
                messages.append(("alert", self._body(fired, st, window, now)))
                upserts[key] = st
                report.refreshed += 1
        report.pending = sum(1 for s in states.values() if s.status == PENDING)

        self.store.commit(upserts.values(), deletes, messages, now)
        if deliver:
            self.flush(report)
            self.heartbeat(report)
            if self.on_cycle_end is not None:
                self.on_cycle_end(now)
        report.outbox = self.store.outbox_size()
        report.duration_s = time.perf_counter() - t0
        return report

    def _gated(self, rule: Rule) -> bool:
        """Does silence count as down only while a covering collector is alive (itself or its source rule)?"""
        source = self.rules.get(rule.derive.rule) if rule.derive is not None else None
        return rule.needs_collector or (source is not None and source.needs_collector)

    @staticmethod
    def _held(
        rule: Rule, observations: list[Observation], states: dict[Key, AlertState], ctx: ObserveContext
    ) -> list[Observation]:
        """This rule's alerts the query no longer answers for while their collector is silent: no data, held.

        Without this a device whose points aged out of the query's window would look like it came back.
        """
        seen = {(o.resource, o.event) for o in observations}
        blind = ctx.blind.get(rule.name, SEEING)
        return [
            Observation(
                rule.name,
                st.resource,
                st.event,
                st.info.get("tags", {}),
                st.info.get("columns", {}),
                False,
                no_data=True,
            )
            for st in states.values()
            if st.rule == rule.name
            and (st.resource, st.event) not in seen
            and not blind(st.info.get("tags", {}))
            and not ctx.collector_alive(st.info.get("tags", {}).get("county"))
        ]

    def _step(
        self,
        rule: Rule,
        observations: list[Observation],
        states: dict[Key, AlertState],
        now: float,
        upserts: dict[Key, AlertState],
        deletes: list[Key],
        messages: list[tuple[str, dict[str, Any]]],
        report: CycleReport,
        blind: Blind | None = None,
    ) -> None:
        """Advance every (rule, resource) state of one rule by one observation (or its absence); a state
        whose store did not answer (``blind``) is kept as it is."""
        blind = blind or SEEING
        seen: set[Key] = set()
        for obs in observations:
            key = (rule.name, obs.resource, obs.event)
            seen.add(key)
            st = states.get(key)
            if obs.no_data or (st is not None and st.info.get("no_data")):
                if self._no_data(rule, st, obs, now, states, upserts, deletes, messages):
                    continue
                assert st is not None
            info = {"tags": obs.tags, "columns": obs.columns}
            if st is None:
                if not obs.bad:
                    continue
                st = AlertState(rule.name, obs.resource, obs.event, PENDING, since=now, info=info)
                states[key] = st
                upserts[key] = st
            elif obs.bad:
                # Only the observation's part changes; the flags ("notified", "maintenance") stay.
                changed = st.clear_since is not None or any(st.info.get(k) != v for k, v in info.items())
                st.clear_since = None
                st.info = {**st.info, **info}
                if changed:
                    upserts[key] = st
            self._advance(rule, st, obs.bad, now, states, upserts, deletes, messages, report, obs.hold_s)
        for key, st in list(states.items()):
            if st.rule == rule.name and key not in seen and not blind(st.info.get("tags", {})):
                self._advance(rule, st, False, now, states, upserts, deletes, messages, report)

    def _no_data(
        self,
        rule: Rule,
        st: AlertState | None,
        obs: Observation,
        now: float,
        states: dict[Key, AlertState],
        upserts: dict[Key, AlertState],
        deletes: list[Key],
        messages: list[tuple[str, dict[str, Any]]],
    ) -> bool:
        """Enter or leave "no data" (the covering collector silent); True when the observation is used up.

        No data fires nothing new and drops what was only pending; a firing alert stays open as it is —
        not resolved as if the device came back — and Alerta's text says 无数据：采集器离线.  When the
        collector is heard again the alert carries on from what its polls say.
        """
        if st is None:
            return True
        if obs.no_data:
            if st.status == PENDING:
                self._drop(st.key, states, upserts, deletes)
                return True
            st.clear_since = None
            if not st.info.get("no_data"):
                st.info["no_data"] = True
                upserts[st.key] = st
                if st.announced:
                    st.last_sent = now
                    messages.append(
                        (
                            "alert",
                            self._body(
                                rule, st, self.maintenance.active(st.info.get("tags", {}), now, st.resource), now
                            ),
                        )
                    )
            return True
        st.info.pop("no_data", None)  # the collector is back: its polls decide again
        upserts[st.key] = st
        if obs.bad and st.announced:
            st.last_sent = now
            messages.append(
                ("alert", self._body(rule, st, self.maintenance.active(st.info.get("tags", {}), now, st.resource), now))
            )
        return False

    def _advance(
        self,
        rule: Rule,
        st: AlertState,
        bad: bool,
        now: float,
        states: dict[Key, AlertState],
        upserts: dict[Key, AlertState],
        deletes: list[Key],
        messages: list[tuple[str, dict[str, Any]]],
        report: CycleReport,
        hold_s: float = 0.0,
    ) -> None:
        key = st.key
        if st.status == PENDING:
            if not bad:
                self._drop(key, states, upserts, deletes)
            elif now - st.since >= max(rule.for_s, hold_s):
                st.status = FIRING
                upserts[key] = st
            return
        # firing
        if bad:
            return
        if st.clear_since is None:
            st.clear_since = now
            upserts[key] = st
        if now - st.clear_since >= rule.resolve_after_s:
            if st.announced:
                messages.append(("alert", alert_body(rule, st, self.ctx, resolved=True, now=now)))
            if st.info.get("notified") and self.notify:
                messages.append(("notice", notice_body(rule, st, self.ctx, RESOLVE, now)))
            report.resolved.append(key)
            self._drop(key, states, upserts, deletes)

    def _body(self, rule: Rule, st: AlertState, window: Window | None, now: float) -> dict[str, Any]:
        body = alert_body(rule, st, self.ctx, now=now)
        if st.info.get("no_data"):
            body["text"] = NO_DATA[self.ctx.language == "en"] + body["text"]
            body["attributes"]["noData"] = NO_DATA[self.ctx.language == "en"].strip("【】[] ")
        if window is not None:
            # Alerta keeps a status sent with the alert ("external state change") and writes it to the history.
            body["status"] = "blackout"
            body["text"] = (
                f"【维护中：{window.name}】{window.reason + '；' if window.reason else ''}未通知。{body['text']}"
            )
            body["attributes"]["maintenance"] = window.name
        elif st.info.get("maintenance"):
            # Sending status "open" is not enough (it is Alerta's default, so the blackout status stays):
            # after the alert, set the status with a note — one line in the history.
            body[REOPEN] = f"维护窗口“{st.info['maintenance']}”已结束，故障仍在，已通知值班人员"
        return body

    def _announce(
        self, rule: Rule, st: AlertState, window: Window | None, now: float, messages: list[tuple[str, dict[str, Any]]]
    ) -> None:
        """Tell Alerta (in or out of maintenance) and, outside maintenance, queue the notice once."""
        messages.append(("alert", self._body(rule, st, window, now)))
        if window is not None:
            st.info["maintenance"] = window.name
            return
        st.info.pop("maintenance", None)
        if self.notify and not st.info.get("notified"):
            st.info["notified"] = True
            messages.append(("notice", notice_body(rule, st, self.ctx, OPEN, now)))

    @staticmethod
    def _drop(key: Key, states: dict[Key, AlertState], upserts: dict[Key, AlertState], deletes: list[Key]) -> None:
        states.pop(key, None)
        upserts.pop(key, None)
        deletes.append(key)

    # -- delivery -----------------------------------------------------------
    def flush(self, report: CycleReport | None = None) -> int:
        """Deliver the outbox in order; stop at the first "Alerta unavailable" and keep the rest."""
        report = report or CycleReport(started=self.clock())
        if self.alerta is None:
            report.alerta_up = False
            return 0
        while True:
            items = self.store.outbox(kind="alert")
            if not items:
                break
            for item in items:
                try:
                    self._send(item.body)
                except AlertaUnavailable as exc:
                    self.store.attempted(item.seq)
                    report.alerta_up = False
                    log.warning(
                        "Alerta unavailable, %d message(s) kept in the outbox: %s", self.store.outbox_size(), exc
                    )
                    return report.delivered
                except AlertaRejected as exc:
                    # Permanent: keeping it would block every later message.
                    log.error(
                        "Alerta rejected %s/%s, dropped: %s", item.body.get("resource"), item.body.get("event"), exc
                    )
                    report.rejected += 1
                else:
                    report.delivered += 1
                self.store.delivered(item.seq)
        return report.delivered

    def _send(self, body: dict[str, Any]) -> None:
        assert self.alerta is not None
        body = dict(body)
        reopen = body.pop(REOPEN, None)
        answer = self.alerta.send_alert(body)
        alert_id = (answer.get("alert") or {}).get("id") or answer.get("id")
        if reopen and alert_id:
            self.alerta.request("PUT", f"/alert/{alert_id}/status", json={"status": "open", "text": reopen})

    def heartbeat(self, report: CycleReport | None = None) -> bool:
        if self.alerta is None:
            return False
        try:
            # A province store that did not answer this cycle shows on the evaluator's heartbeat in Alerta.
            down = {"failedStores": "; ".join(report.failed_stores)} if report and report.failed_stores else None
            self.alerta.heartbeat(self.origin, self.heartbeat_timeout_s, tags=["pdcs", "evaluator"], attributes=down)
        except (AlertaUnavailable, AlertaRejected) as exc:
            log.warning("heartbeat not sent: %s", exc)
            if report is not None:
                report.alerta_up = False
            return False
        return True

    # -- the service loop -----------------------------------------------------
    def run(
        self,
        interval_s: float,
        stop: threading.Event | None = None,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            started = time.monotonic()
            try:
                report = self.cycle()
            except Exception:  # one bad cycle (a full disk, a corrupt answer) must not end the service
                log.exception("evaluation cycle failed; trying again next interval")
            else:
                if on_cycle:
                    on_cycle(report)
            stop.wait(max(0.0, interval_s - (time.monotonic() - started)))
