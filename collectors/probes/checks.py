"""One probe, once: a TCP connect, an HTTP(S) request or a DNS query → ``ProbeResult``.

- TCP: up when the connection is accepted within the timeout.
- HTTP(S) (httpx): up when the status is expected and the keyword (if any) is
  in the body; for ``https://`` the certificate's ``notAfter`` is read from its
  own TLS handshake and the probe fails when fewer than ``cert_warn_days``
  days are left (a portal whose certificate lapses is down for its readers).
- DNS (dnspython): up when the server answers the query with a record (that
  contains ``expect``, if given).

``latency_ms`` is the time to the answer (TCP: connect; HTTP: the whole
response; DNS: the query); an error says why a probe failed, never with a
credential in it (URLs with user info are refused by the spec's users, not
logged here).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import dns.asyncresolver
import dns.exception
import httpx
from cryptography import x509

from collectors.probes.spec import ProbeSpec


@dataclass(frozen=True)
class ProbeResult:
    up: bool
    latency_ms: float | None = None
    status_code: int | None = None
    cert_days_left: float | None = None
    error: str | None = None


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


async def tcp(spec: ProbeSpec) -> ProbeResult:
    t0 = time.perf_counter()
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(spec.host, spec.port), spec.timeout_s)
    except TimeoutError:
        return ProbeResult(False, error=f"timeout: no connection in {spec.timeout_s:g} s")
    except OSError as exc:
        return ProbeResult(False, error=f"refused: {exc.strerror or exc}")
    latency = _ms(t0)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return ProbeResult(True, latency)


async def cert_days_left(host: str, port: int, timeout_s: float, verify: bool) -> float:
    """Days until the server certificate's notAfter (from a TLS handshake of its own)."""
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    _, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=ctx, server_hostname=host), timeout_s)
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
    cert = x509.load_der_x509_certificate(der)
    return round((cert.not_valid_after_utc - datetime.now(UTC)).total_seconds() / 86400, 2)


async def http(spec: ProbeSpec, client: httpx.AsyncClient | None = None) -> ProbeResult:
    url = spec.url or ""
    own = client is None
    c = client or httpx.AsyncClient(verify=spec.verify_tls, follow_redirects=True)
    t0 = time.perf_counter()
    try:
        r = await c.get(url, timeout=spec.timeout_s)
        latency = _ms(t0)
    except httpx.TimeoutException:
        return ProbeResult(False, error=f"timeout: no answer in {spec.timeout_s:g} s")
    except httpx.HTTPError as exc:
        return ProbeResult(False, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if own:
            await c.aclose()
    days: float | None = None
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        try:
            days = await cert_days_left(parts.hostname, parts.port or 443, spec.timeout_s, spec.verify_tls)
        except (OSError, TimeoutError, ssl.SSLError, ValueError) as exc:
            return ProbeResult(False, latency, r.status_code, None, f"certificate not read: {exc}")
    if r.status_code not in spec.expect_status:
        return ProbeResult(False, latency, r.status_code, days, f"status {r.status_code}")
    if spec.keyword and spec.keyword not in r.text:
        return ProbeResult(False, latency, r.status_code, days, f"keyword {spec.keyword!r} not in the page")
    if days is not None and days < spec.cert_warn_days:
        return ProbeResult(False, latency, r.status_code, days, f"certificate expires in {days:.1f} days")
    return ProbeResult(True, latency, r.status_code, days)


async def dns_query(spec: ProbeSpec) -> ProbeResult:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [spec.server or ""]
    resolver.port = spec.port or 53
    resolver.lifetime = spec.timeout_s
    t0 = time.perf_counter()
    try:
        answer = await resolver.resolve(spec.query or "", spec.record)
    except dns.exception.Timeout:
        return ProbeResult(False, error=f"timeout: no answer in {spec.timeout_s:g} s")
    except dns.exception.DNSException as exc:
        return ProbeResult(False, _ms(t0), error=f"{type(exc).__name__}: {str(exc)[:200]}")
    latency = _ms(t0)
    values = [r.to_text() for r in answer]
    if spec.expect and not any(spec.expect in v for v in values):
        return ProbeResult(False, latency, error=f"answer {', '.join(values)[:120]} lacks {spec.expect!r}")
    return ProbeResult(True, latency)


async def run(spec: ProbeSpec, client: httpx.AsyncClient | None = None) -> ProbeResult:
    if spec.kind == "tcp":
        return await tcp(spec)
    if spec.kind == "http":
        return await http(spec, client)
    return await dns_query(spec)
