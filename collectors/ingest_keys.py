"""Which generation of its push key each device is on, and which devices are revoked.

A small JSON file (``PDCS_INGEST_KEYS``, default ``var/ingest-keys.json``) written by
``pdcs ingest rotate|revoke`` and read by the ingest (again whenever it changes, at most
once a second). A device absent from the file is on generation 0 and not revoked. After a
rotation the previous generation is accepted for ``grace_s`` (default 7 days), so a
terminal offline during the change can still deliver its spool once it has the new key.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from agents.push_signature import device_key

ROTATE_GRACE_S = 7 * 86400.0


@dataclass
class KeyState:
    generation: int = 0
    previous: int | None = None  # accepted until rotated_at + grace
    rotated_at: float = 0.0
    revoked: bool = False


class KeyStore:
    def __init__(self, path: Path | None, grace_s: float = ROTATE_GRACE_S) -> None:
        self.path = path
        self.grace_s = grace_s
        self._lock = threading.Lock()
        self._states: dict[str, KeyState] = {}
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._reload(force=True)

    def _reload(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.path is None or (not force and now - self._checked < 1.0):
            return
        self._checked = now
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._states, self._stamp = {}, None
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp and not force:
            return
        raw = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        self._states = {d: KeyState(**s) for d, s in raw.get("devices", {}).items()}
        self._stamp = stamp

    def state(self, device: str) -> KeyState:
        with self._lock:
            self._reload()
            return self._states.get(device, KeyState())

    def keys(self, secret: str, device: str, now: float | None = None) -> list[str]:
        """The keys that may sign for ``device`` now: none when revoked; the previous one within the grace."""
        s = self.state(device)
        if s.revoked:
            return []
        out = [device_key(secret, device, s.generation)]
        if s.previous is not None and (time.time() if now is None else now) < s.rotated_at + self.grace_s:
            out.append(device_key(secret, device, s.previous))
        return out

    def _save(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = {"devices": {d: asdict(s) for d, s in sorted(self._states.items())}}
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
        self._stamp = None

    def rotate(self, device: str) -> KeyState:
        with self._lock:
            self._reload(force=True)
            old = self._states.get(device, KeyState())
            new = KeyState(old.generation + 1, None if old.revoked else old.generation, time.time(), False)
            self._states[device] = new
            self._save()
            return new

    def revoke(self, device: str) -> KeyState:
        with self._lock:
            self._reload(force=True)
            old = self._states.get(device, KeyState())
            new = KeyState(old.generation, None, old.rotated_at, True)
            self._states[device] = new
            self._save()
            return new
