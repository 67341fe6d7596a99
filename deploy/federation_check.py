"""Container health check of a province's shipper (``pdcs federation ship --loop``): are its summaries current?

Healthy when the national store's ``federation_status`` says every province of this platform's inventory
shipped summaries that end less than ``PDCS_FEDERATION_LATE_AFTER_S`` ago (federation/read.py decides
"late", as the national boards and ``pdcs federation status`` do; other provinces' lateness is not ours).
Reads the settings (shard map, inventory) from the container environment.
"""

from __future__ import annotations

import sys


def main() -> int:
    from federation.read import federation_status
    from federation.store import national_store
    from inventory.load import load_inventory
    from pdcs.settings import Settings
    from pdcs.storage.influx import InfluxError

    settings = Settings()
    ours = sorted({f.county[:2] for f in load_inventory(settings.inventory).facilities.values()})
    with settings.shards() as shards:
        national = national_store(settings, shards)
        if national is None:
            print("no national store: the shard map's national, or PDCS_NATIONAL_INFLUX_URL", file=sys.stderr)
            return 1
        try:
            state = federation_status(national, late_after_s=settings.federation_late_after_s, expected=ours)
        except InfluxError as exc:
            print(f"national store: {exc.__class__.__name__}", file=sys.stderr)
            return 1
    late = [r.province for r in state.provinces if r.province in ours and r.late]
    if late:
        print(f"late: {', '.join(late)}", file=sys.stderr)
    return 1 if late else 0


if __name__ == "__main__":
    sys.exit(main())
