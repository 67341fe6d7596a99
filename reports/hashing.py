"""The content hash: SHA-256 over canonical JSON, the same in every format of one report."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reports.content import STAMP_FIELDS, Report


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def content_sha256(report: Report) -> str:
    return hashlib.sha256(canonical_json(report.content())).hexdigest()


def verify_json(document: dict[str, Any]) -> bool:
    """True when a JSON report's ``content_sha256`` matches its content."""
    content = {k: v for k, v in document.items() if k not in (*STAMP_FIELDS, "hash_method")}
    return hashlib.sha256(canonical_json(content)).hexdigest() == document.get("content_sha256")
