"""Audit results → ``security_check`` points (the shape the agent's checks use)."""

from __future__ import annotations

from collectors.ssh_audit.audit import DeviceAudit
from pdcs.points import SECURITY_CHECK, FieldValue, Point

SOURCE = "ssh_audit"


def points_of(audit: DeviceAudit, tags: dict[str, str]) -> list[Point]:
    """One point per rule.  ``passed`` is absent when the status is ``unknown``:
    a rule that could not be judged is neither a pass nor a fail in any average."""
    out: list[Point] = []
    for r in audit.results:
        rule_tags = {
            **tags,
            "check": r.rule.id,
            "mlps_item": r.rule.mlps.item if r.rule.mlps else "",
            "mlps_level": str(r.rule.mlps.lowest_level) if r.rule.mlps else "",
            "severity": r.rule.severity,
            "source": SOURCE,
        }
        fields: dict[str, FieldValue] = {"status": r.status, "detail": r.detail()}
        if r.status != "unknown":
            fields["passed"] = 1 if r.status == "pass" else 0
        out.append(Point(SECURITY_CHECK, rule_tags, fields, audit.time_ns))
    return out
