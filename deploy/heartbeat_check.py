"""Container health check of the alert evaluator: is its Alerta heartbeat fresh?

The evaluator sends a heartbeat tagged ``evaluator`` every cycle; Alerta marks
it ``expired`` when none came within its timeout.  Exit 0 when one is ``ok``.
Reads PDCS_ALERTA_URL and PDCS_ALERTA_API_KEY from the container environment.
"""

from __future__ import annotations

import os
import sys

import httpx


def main() -> int:
    url = os.environ["PDCS_ALERTA_URL"].rstrip("/") + "/heartbeats"
    headers = {"Authorization": f"Key {os.environ['PDCS_ALERTA_API_KEY']}"}
    try:
        beats = httpx.get(url, headers=headers, timeout=5).raise_for_status().json().get("heartbeats", [])
    except (httpx.HTTPError, ValueError) as exc:
        print(f"alerta: {exc.__class__.__name__}", file=sys.stderr)
        return 1
    return 0 if any("evaluator" in b.get("tags", []) and b.get("status") == "ok" for b in beats) else 1


if __name__ == "__main__":
    sys.exit(main())
