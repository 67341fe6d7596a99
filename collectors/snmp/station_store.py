"""The day's salt and station digests on the collector's disk, so a restart continues the day.

Layout under the collector's state folder (``<spool-dir>/<name>.stations/``,
mode 0700; every file 0600)::

    <time zone, %-quoted>/<YYYY-MM-DD>/salt             32 random bytes, written once (fsync'd) before use
    <time zone, %-quoted>/<YYYY-MM-DD>/<device>.digests  JSON lines ["<digest hex>", "<ssid>"], appended

Only the current local day of each time zone is ever kept: when a zone's day
changes (and when the collector starts) every older day's folder — salt and
digests together — is deleted.  Nothing here is written to InfluxDB, a log or
the spool, so nothing of it is shipped.  A line cut short by a crash is
skipped on reading (the station is seen again at the next poll while it is
still connected).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

SALT_BYTES = 32


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


class StationStore:
    """Files of one collector's station state (see the module text)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _day_dir(self, tz: str, day: date) -> Path:
        return self.folder / quote(tz, safe="") / day.isoformat()

    def _make_day_dir(self, tz: str, day: date) -> Path:
        """The day's folder, it and the folders above it up to the state folder readable by this user only."""
        path = self.folder
        for part in (quote(tz, safe=""), day.isoformat()):
            _private_dir(path)
            path = path / part
        return _private_dir(path)

    def purge_before(self, tz: str, day: date) -> None:
        """Delete every day of ``tz`` other than ``day`` (salts and digests alike)."""
        zone = self.folder / quote(tz, safe="")
        if not zone.is_dir():
            return
        for old in zone.iterdir():
            if old.name != day.isoformat():
                shutil.rmtree(old, ignore_errors=True)

    def purge_stale(self, now: float) -> None:
        """At start: delete the days that are over in their own time zone (the collector was down at midnight)."""
        if not self.folder.is_dir():
            return
        for zone in self.folder.iterdir():
            try:
                today = datetime.fromtimestamp(now, ZoneInfo(unquote(zone.name))).date()
            except (KeyError, ValueError):  # not a time zone folder of ours: left alone
                continue
            self.purge_before(unquote(zone.name), today)

    def salt(self, tz: str, day: date, draw: bytes) -> bytes:
        """The day's salt: the stored one, else ``draw`` stored (0600, fsync'd) and returned."""
        folder = self._make_day_dir(tz, day)
        path = folder / "salt"
        try:
            held = path.read_bytes()
            if len(held) == SALT_BYTES:
                return held
            log.warning("station salt %s is damaged; a new one is drawn (today's count starts again)", path)
        except FileNotFoundError:
            pass
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, draw)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        for stale in folder.glob("*.digests"):  # digests under another salt can never match again
            stale.unlink()
        return draw

    def _digests_path(self, tz: str, day: date, device: str) -> Path:
        return self._day_dir(tz, day) / f"{quote(device, safe='')}.digests"

    def load(self, tz: str, day: date, device: str) -> Iterator[tuple[bytes, str]]:
        """The (digest, SSID) pairs stored for a device today."""
        path = self._digests_path(tz, day, device)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            try:
                digest, ssid = json.loads(line)
                yield bytes.fromhex(digest), str(ssid)
            except (ValueError, TypeError):
                continue  # a line cut short by a crash

    def append(self, tz: str, day: date, device: str, pairs: list[tuple[bytes, str]]) -> None:
        if not pairs:
            return
        self._make_day_dir(tz, day)
        path = self._digests_path(tz, day, device)
        data = "".join(json.dumps([d.hex(), s], ensure_ascii=False) + "\n" for d, s in pairs).encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
