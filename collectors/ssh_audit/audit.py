"""Audit one device: fetch its texts over SSH, judge every rule of its dialect.

``judge`` is pure (texts in, results out) so recorded configurations are
tested without a device; ``audit_device`` adds the SSH session around it and
turns any failure to reach the device into ``unknown`` results with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from collectors.ssh_audit.checks import ParsedConfig, evaluate
from collectors.ssh_audit.dialect import DialectDriver
from collectors.ssh_audit.rules import Rule, rules_for
from collectors.ssh_audit.session import AuditUnavailable, Credentials, Endpoint, SshSession

Status = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    status: Status
    evidence: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def detail(self, limit: int = 480) -> str:
        """The evidence in one line for the ``security_check.detail`` field."""
        parts = list(self.notes if self.status != "pass" else ()) + list(self.evidence)
        text = "; ".join(parts) if parts else self.status
        return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class DeviceAudit:
    device: str
    dialect: str | None
    time_ns: int
    duration_s: float
    results: tuple[RuleResult, ...]
    error: str | None = None  # why the device could not be audited
    sources: tuple[str, ...] = field(default=())
    # The running configuration as fetched (network dialects), for the configuration
    # history; unmasked, so never in a repr or a record (collectors/config_history masks it).
    config: str | None = field(default=None, repr=False)

    def counts(self) -> dict[str, int]:
        out = {"pass": 0, "fail": 0, "unknown": 0}
        for r in self.results:
            out[r.status] += 1
        return out


# Why a rule that needs an inventory fact (Rule.requires) is not judged without it.
MISSING_FACT = {
    "uplink_interface": (
        "设备清单未填写该设备的上行接口（uplink_interface），无法判断边界接口 / "
        "the inventory must name the device's uplink_interface (the interface facing the boundary)"
    ),
}


def judge(
    driver: DialectDriver, texts: dict[str, str], rules: list[Rule], facts: Mapping[str, str | None] | None = None
) -> list[RuleResult]:
    """Results of every rule for ``driver.name`` over fetched ``texts`` (source → text).

    ``facts`` are the device's inventory facts a rule may need (``uplink_interface``).
    """
    parsed: dict[str, ParsedConfig] = {}
    out: list[RuleResult] = []
    known = {k: v for k, v in (facts or {}).items() if v}
    for rule in rules_for(rules, driver.name):
        lacking = [f for f in rule.requires if f not in known]
        if lacking:
            out.append(RuleResult(rule, "unknown", notes=tuple(MISSING_FACT[f] for f in lacking)))
            continue
        text = texts.get(rule.source)
        if text is None:
            out.append(RuleResult(rule, "unknown", notes=(f"source {rule.source!r} was not fetched",)))
            continue
        if driver.empty_is_unknown and not text.strip():
            command = driver.sources.get(rule.source, rule.source)
            out.append(RuleResult(rule, "unknown", notes=(f"empty answer to {command!r}",)))
            continue
        try:
            if rule.source not in parsed:
                parsed[rule.source] = ParsedConfig(text, driver.comment)
            check = rule.check.bind({f: known[f] for f in rule.requires}) if rule.requires else rule.check
            outcome = evaluate(check, parsed[rule.source])
        except Exception as exc:  # a text the parser cannot take: report it, judge the other rules
            note = f"cannot parse {rule.source}: {type(exc).__name__}: {str(exc)[:120]}"
            out.append(RuleResult(rule, "unknown", notes=(note,)))
            continue
        out.append(RuleResult(rule, "pass" if outcome.passed else "fail", outcome.evidence, outcome.notes))
    return out


def unknown_results(rules: list[Rule], dialect: str | None, reason: str) -> list[RuleResult]:
    chosen = rules_for(rules, dialect) if dialect else []
    return [RuleResult(r, "unknown", notes=(reason,)) for r in chosen]


def audit_device(
    device_id: str,
    driver: DialectDriver,
    endpoint: Endpoint,
    creds: Credentials,
    rules: list[Rule],
    facts: Mapping[str, str | None] | None = None,
) -> DeviceAudit:
    """Blocking: one SSH session, the dialect's commands, then the rules.  Never raises for the device."""
    started_ns = time.time_ns()
    t0 = time.monotonic()
    try:
        with SshSession(endpoint, creds) as session:
            texts = driver.fetch(session)
    except AuditUnavailable as exc:
        reason = str(exc)
        return DeviceAudit(
            device_id,
            driver.name,
            started_ns,
            time.monotonic() - t0,
            tuple(unknown_results(rules, driver.name, reason)),
            error=reason,
        )
    results = judge(driver, texts, rules, facts)
    return DeviceAudit(
        device_id,
        driver.name,
        started_ns,
        time.monotonic() - t0,
        tuple(results),
        sources=tuple(texts),
        config=driver.history_text(texts),
    )
