"""InfluxDB v1 HTTP API: line-protocol writes, InfluxQL reads, database set-up.

One small synchronous client built on httpx.  The v1 API is served natively by
InfluxDB 1.x and as the compatibility API of 2.x/3.x, so this one code path
covers every deployment.  Async callers (the collector) run it in a thread.

Errors are split in two so that callers can decide what to do:
``InfluxUnavailable`` (connection refused, timeouts, 5xx — worth retrying
later, the spool keeps the points) and ``InfluxError`` (4xx — the request
itself is wrong; retrying cannot help).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)


class InfluxError(Exception):
    """InfluxDB refused the request (bad query, bad line protocol, 4xx)."""


class InfluxUnavailable(InfluxError):
    """InfluxDB could not be reached or answered 5xx; the request may succeed later."""


class InfluxSchemaMissing(InfluxError):
    """InfluxDB answered but the database or a retention policy does not exist (yet): create them and retry.

    A collector or API started while InfluxDB was down could not create them at start-up.
    """


_MISSING = ("database not found", "retention policy not found")


def _classify(exc: InfluxError) -> InfluxError:
    return InfluxSchemaMissing(str(exc)) if any(m in str(exc) for m in _MISSING) else exc


@dataclass(frozen=True)
class Series:
    """One series of an InfluxQL answer: rows as dicts keyed by column."""

    name: str
    tags: dict[str, str]
    columns: list[str]
    values: list[list[Any]]

    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, v, strict=False)) for v in self.values]


# A retention policy to create: (name, duration, default) or (name, duration, default, shard group duration).
RetentionPolicy = tuple[str, str, bool] | tuple[str, str, bool, str]


def quote_ident(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class InfluxDB:
    """Client for one database on one InfluxDB server.

    ``url`` is the server's base URL (``http://127.0.0.1:8086``).  Credentials
    are optional (v1 basic auth, or a 2.x token through ``token``) and are never
    logged.
    """

    url: str
    database: str = "pdcs"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    timeout_s: float = 10.0
    retries: int = 3
    backoff_s: float = 0.5
    batch_size: int = 5000
    sleep: Callable[[float], None] = time.sleep
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    # Weak: a client goes with its thread; close() closes those still alive.
    _clients: weakref.WeakSet[httpx.Client] = field(default_factory=weakref.WeakSet, init=False, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _tls: ssl.SSLContext | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> httpx.Client:
        """This thread's HTTP client.

        One per thread: the API answers on 40 threads, and one shared httpx pool made
        them queue on its lock (a quarter of the API's time under load).
        """
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            headers = {"Authorization": f"Token {self.token}"} if self.token else {}
            auth = (self.username, self.password or "") if self.username else None
            with self._clients_lock:
                if self._tls is None:  # loading the CA bundle takes ~20 ms: once, not once per thread
                    self._tls = httpx.create_ssl_context()
                client = httpx.Client(
                    base_url=self.url.rstrip("/"), timeout=self.timeout_s, headers=headers, auth=auth, verify=self._tls
                )
                self._clients.add(client)
            self._local.client = client
        return client

    def close(self) -> None:
        with self._clients_lock:
            clients, self._clients = list(self._clients), weakref.WeakSet()
            self._local = threading.local()  # every thread opens a new client if used again
        for client in clients:
            client.close()

    def __enter__(self) -> InfluxDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level ----------------------------------------------------------
    def _request(self, method: str, path: str, *, retry: bool = True, **kw: Any) -> httpx.Response:
        attempts = self.retries + 1 if retry else 1
        delay = self.backoff_s
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                resp = self.client.request(method, path, **kw)
            except httpx.TransportError as exc:
                last = InfluxUnavailable(f"InfluxDB {self.url} unreachable: {exc.__class__.__name__}: {exc}")
            else:
                if resp.status_code < 400:
                    return resp
                msg = _error_text(resp)
                if any(m in msg for m in _MISSING):  # 404 database / 500 retention policy: retrying cannot help
                    raise InfluxSchemaMissing(f"InfluxDB {resp.status_code}: {msg}")
                if resp.status_code < 500:
                    raise InfluxError(f"InfluxDB {resp.status_code}: {msg}")
                last = InfluxUnavailable(f"InfluxDB {resp.status_code}: {msg}")
            if attempt + 1 < attempts:
                log.debug("influx %s %s failed (%s); retry in %.2fs", method, path, last, delay)
                self.sleep(delay)
                delay *= 2
        assert last is not None
        raise last

    def ping(self) -> bool:
        try:
            return self.client.get("/ping", timeout=2.0).status_code == 204
        except httpx.TransportError:
            return False

    # -- set-up -------------------------------------------------------------
    def ensure_database(self, retention_policies: Sequence[RetentionPolicy] = ()) -> None:
        """Create the database and retention policies (name, duration, default[, shard duration]) if missing.

        An existing policy is ALTERed to the given duration and shard duration: InfluxDB applies a new
        shard duration to the shard groups it creates from then on and leaves existing ones as they are
        (https://docs.influxdata.com/influxdb/v1/query_language/manage-database/#retention-policy-management).
        """
        self.execute(f"CREATE DATABASE {quote_ident(self.database)}")
        existing = {r["name"] for s in self.query("SHOW RETENTION POLICIES") for r in s.rows()}
        for rp in retention_policies:
            name, duration, default = rp[0], rp[1], rp[2]
            shard = f" SHARD DURATION {rp[3]}" if len(rp) > 3 else ""
            verb = "ALTER" if name in existing else "CREATE"
            stmt = (
                f"{verb} RETENTION POLICY {quote_ident(name)} ON {quote_ident(self.database)} "
                f"DURATION {duration} REPLICATION 1{shard}{' DEFAULT' if default else ''}"
            )
            self.execute(stmt)

    def retention_policies(self) -> dict[str, tuple[str, str]]:
        """Each retention policy of the database: name → (duration, shard group duration) as InfluxDB shows them."""
        return {
            r["name"]: (str(r["duration"]), str(r["shardGroupDuration"]))
            for s in self.query("SHOW RETENTION POLICIES")
            for r in s.rows()
        }

    def execute(self, statement: str) -> None:
        """Run a statement that changes state (POST /query)."""
        resp = self._request("POST", "/query", params={"q": statement, "db": self.database})
        _raise_statement_errors(resp.json())

    # -- writes -------------------------------------------------------------
    def write_lines(self, lines: Iterable[str], *, retention_policy: str | None = None, precision: str = "ns") -> int:
        """Write line-protocol lines in batches; returns how many were written.

        Raises ``InfluxUnavailable`` after the retries are spent, so that the
        caller (the spool) keeps the points; raises ``InfluxError`` when
        InfluxDB rejects a batch as malformed.
        """
        params = {"db": self.database, "precision": precision}
        if retention_policy:
            params["rp"] = retention_policy
        written = 0
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= self.batch_size:
                written += self._write_batch(batch, params)
                batch = []
        if batch:
            written += self._write_batch(batch, params)
        return written

    def _write_batch(self, batch: list[str], params: dict[str, str]) -> int:
        body = ("\n".join(batch) + "\n").encode()
        self._request("POST", "/write", params=params, content=body)
        return len(batch)

    # -- reads --------------------------------------------------------------
    def query(self, q: str, *, epoch: str | None = "ms", params: dict[str, Any] | None = None) -> list[Series]:
        """Run InfluxQL (one or more statements) and return every series of every result.

        ``epoch`` makes times integers in that unit (the default, ms); pass
        ``None`` for RFC 3339 strings.  ``params`` are bound parameters
        (``$name`` in the query), so values never need quoting by hand.
        """
        data: dict[str, Any] = {"q": q, "db": self.database}
        if epoch:
            data["epoch"] = epoch
        if params:
            import json

            data["params"] = json.dumps(params)
        resp = self._request("POST", "/query", data=data)
        payload = resp.json()
        _raise_statement_errors(payload)
        out: list[Series] = []
        for result in payload.get("results", []):
            for s in result.get("series", []) or []:
                out.append(Series(s.get("name", ""), s.get("tags") or {}, s["columns"], s["values"]))
        return out


def _error_text(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("error", resp.text))[:500]
    except ValueError:
        return resp.text[:500]


def _raise_statement_errors(payload: dict[str, Any]) -> None:
    if "error" in payload:
        raise _classify(InfluxError(str(payload["error"])))
    for result in payload.get("results", []):
        if "error" in result:
            raise _classify(InfluxError(str(result["error"])))
