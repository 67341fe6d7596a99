"""The audit record: one JSON file per device with every rule's evidence lines.

``security_check`` points carry a one-line ``detail``; inspectors and county
engineers need the full proof (which vty line lacks the ACL, which community
is public) and the remediation text.  The latest audit of each device is kept
as ``<audit_dir>/<device>.json``, written atomically (temp file + rename) so a
reader never sees half a record.  Layout: docs/architecture.md, "Audits and grading".
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collectors.ssh_audit.audit import DeviceAudit

RECORD_VERSION = 1


def record_of(audit: DeviceAudit, tags: dict[str, str]) -> dict[str, Any]:
    return {
        "version": RECORD_VERSION,
        "device": audit.device,
        "tags": tags,
        "dialect": audit.dialect,
        "time": datetime.fromtimestamp(audit.time_ns / 1e9, UTC).isoformat(),
        "duration_s": round(audit.duration_s, 3),
        "reachable": audit.error is None,
        "error": audit.error,
        "sources": list(audit.sources),
        "summary": audit.counts(),
        "results": [
            {
                "check": r.rule.id,
                "title": {"zh": r.rule.title.zh, "en": r.rule.title.en},
                "status": r.status,
                "severity": r.rule.severity,
                "mlps_item": r.rule.mlps.item if r.rule.mlps else None,
                "mlps_levels": list(r.rule.mlps.levels) if r.rule.mlps else [],
                "cis": r.rule.cis,
                "evidence": list(r.evidence),
                "notes": list(r.notes),
                "remediation": {"zh": r.rule.remediation.zh, "en": r.rule.remediation.en},
            }
            for r in audit.results
        ],
    }


class AuditStore:
    """Latest audit record per device under one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, device: str) -> Path:
        return self.folder / f"{device}.json"

    def save(self, audit: DeviceAudit, tags: dict[str, str]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(audit.device)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{audit.device}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record_of(audit, tags), fh, ensure_ascii=False, indent=1)
        os.replace(tmp, target)
        return target

    def load(self, device: str) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.path(device).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return data
