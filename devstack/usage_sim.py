"""Terminal use for the local stack: a simulated reader schedule for the dev agent, and today's usage roll-up.

``pdcs dev up`` gives its simulated terminal (a real ``pdcs-agent``) a kiosk
session file (agents/usage/kiosk.py) holding a reading-room day — readers
arriving from 09:00 to 20:30, sessions of 20 to 75 minutes, some overlapping —
for yesterday, today and tomorrow; the agent shows each session as it starts
and while it runs.  ``python -m devstack.usage_sim ROLLUP_INVENTORY`` then rolls
up today every five minutes so the 服务效能 figures fill during the day.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

CN = ZoneInfo("Asia/Shanghai")


def day_sessions(day: date, seed: int = 16) -> list[dict[str, float]]:
    """A reading-room day: about 14 sessions between 09:00 and 21:00, deterministic per day."""
    rng = random.Random(f"{seed}-{day.isoformat()}")
    out = []
    t = datetime.combine(day, datetime.min.time(), tzinfo=CN) + timedelta(hours=9, minutes=rng.randint(0, 20))
    close = datetime.combine(day, datetime.min.time(), tzinfo=CN) + timedelta(hours=21)
    while t < close - timedelta(minutes=30):
        length = timedelta(minutes=rng.randint(20, 75))
        out.append({"start": t.timestamp(), "end": min(t + length, close).timestamp()})
        t += timedelta(minutes=rng.randint(25, 60))
    return out


def write_schedule(path: Path, today: date) -> Path:
    """JSON lines of yesterday's, today's and tomorrow's sessions (the agent's ``usage.kiosk_sessions`` file)."""
    lines = [json.dumps(s) for d in (-1, 0, 1) for s in day_sessions(today + timedelta(days=d))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    inventory = sys.argv[1]
    schedule = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    while True:
        today = datetime.now(CN).date()
        if schedule is not None:
            write_schedule(schedule, today)  # the next days' sessions, as days pass
        subprocess.run(
            [sys.executable, "-m", "pdcs", "rollup", "run", "--day", today.isoformat(), "--inventory", inventory],
            check=False,
        )
        time.sleep(300)


if __name__ == "__main__":
    main()
