"""Push mode: snapshot the exposition, spool it on disk, send it to the collector's ingest.

For terminals no collector can reach (behind NAT, on 4G).  Each send is signed
over the gzip body and the send time with the device's key
(:mod:`agents.push_signature`); the key itself is never sent.  Every interval the
agent renders its registry into a batch ``{device, instance, seq, time_ms,
exposition}`` and writes it to the spool (one file per batch, written to a
temporary name, fsynced and renamed) *before* sending anything.  The spool is
drained oldest first; a batch is deleted only after the collector answered
2xx, so an outage costs nothing but delay.  The collector treats ``(instance,
seq)`` as the batch's identity and the points carry ``time_ms``, so a batch
sent twice (lost acknowledgement) is written once.  When the spool holds
``max_batches`` the oldest are dropped, counted and logged.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from agents.config import PushConfig
from agents.push_signature import sign

log = logging.getLogger(__name__)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Spool:
    """Numbered batch files in one folder; the sequence survives restarts."""

    def __init__(self, folder: Path, max_batches: int) -> None:
        self.folder = folder
        self.max_batches = max_batches
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.tmp"):
            stale.unlink(missing_ok=True)  # a crash mid-write left a partial batch that was never acknowledged
        inst = folder / "instance"
        if not inst.exists():
            _write_atomic(inst, uuid.uuid4().hex.encode())
        self.instance = inst.read_text().strip()
        files = self.batches()
        seq_file = folder / "seq"
        last = int(seq_file.read_text()) if seq_file.exists() else 0
        self.seq = max([last] + [int(f.stem) for f in files])
        self.dropped = 0

    def batches(self) -> list[Path]:
        return sorted(self.folder.glob("*.json"))

    def add(self, device: str, exposition: bytes, time_ms: int) -> Path:
        self.seq += 1
        body = {
            "device": device,
            "instance": self.instance,
            "seq": self.seq,
            "time_ms": time_ms,
            "exposition": exposition.decode("utf-8"),
        }
        path = self.folder / f"{self.seq:012d}.json"
        _write_atomic(path, json.dumps(body, ensure_ascii=False).encode())
        _write_atomic(self.folder / "seq", str(self.seq).encode())
        files = self.batches()
        excess = len(files) - self.max_batches
        if excess > 0:
            for f in files[:excess]:
                f.unlink(missing_ok=True)
            self.dropped += excess
            log.warning("push spool full (%d batches): dropped the %d oldest", self.max_batches, excess)
        return path


class Pusher(Collector):
    """The push loop, and its own metrics (spool depth, batches sent and dropped)."""

    def __init__(self, cfg: PushConfig, device: str, render: Callable[[], bytes]) -> None:
        self.cfg = cfg
        self.device = device
        self.render = render
        self.spool = Spool(cfg.spool_dir, cfg.max_batches)
        self.sent = 0
        self.failures = 0
        self.refused = 0
        self.last_error = ""
        self._stop = threading.Event()

    def snapshot(self) -> Path:
        return self.spool.add(self.device, self.render(), int(time.time() * 1000))

    def send(self, path: Path) -> str:
        """``ok`` (acknowledged), ``retry`` (link or collector down; keep it) or ``drop`` (refused as malformed)."""
        self.last_error = ""
        body = gzip.compress(path.read_bytes(), compresslevel=5)
        req = urllib.request.Request(
            self.cfg.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                **sign(self.cfg.token, self.device, body, int(time.time())),
                "User-Agent": "pdcs-agent",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=self.cfg.timeout_s) as resp:
                resp.read()
                return "ok"
        except urllib.error.HTTPError as exc:
            self.last_error = f"HTTP {exc.code}: {exc.read(200).decode(errors='replace')}"
            # 400/413/422: this batch can never be accepted (malformed, too large, outside the collector's
            # time window); 401/403/404/5xx: clock, key or outage — keep it.
            return "drop" if exc.code in (400, 413, 422) else "retry"
        except Exception as exc:  # connection refused, timeout: the link is down, keep the batch
            self.last_error = str(exc)[:200]
        return "retry"

    def drain(self) -> int:
        """Send spooled batches oldest first; stop at the first failure. Returns batches sent."""
        n = 0
        for path in self.spool.batches():
            if self._stop.is_set():
                break
            result = self.send(path)
            if result == "retry":
                self.failures += 1
                log.info(
                    "push to %s failed (%s); %d batches spooled",
                    self.cfg.url,
                    self.last_error,
                    len(self.spool.batches()),
                )
                break
            path.unlink(missing_ok=True)
            if result == "drop":
                self.refused += 1
                log.error("collector refused batch %s, dropped it: %s", path.name, self.last_error)
            else:
                n += 1
        self.sent += n
        return n

    def start(self) -> None:
        threading.Thread(target=self._loop, name="pdcs-push", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.snapshot()
                self.drain()
            except Exception:
                log.exception("push cycle failed")
            self._stop.wait(self.cfg.interval_s)

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield GaugeMetricFamily(
            "pdcs_agent_push_spool_batches", "Batches waiting in the push spool", value=len(self.spool.batches())
        )
        yield CounterMetricFamily(
            "pdcs_agent_push_sent_batches", "Batches acknowledged by the collector", value=self.sent
        )
        yield CounterMetricFamily(
            "pdcs_agent_push_dropped_batches", "Batches dropped from a full spool", value=self.spool.dropped
        )
