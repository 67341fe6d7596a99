"""Probes against real targets in network namespaces the test creates (and on loopback).

A live host, a dead address and a slow one (echo answered 0.4 s late); HTTP
with a keyword, a slow page, HTTPS with a certificate 10 days from expiry;
TCP open and closed; DNS answered and NXDOMAIN.  Every address is inside the
namespaces (devstack/netns.py); the probes run inside the "probe" namespace.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from collectors.base import Target
from collectors.probes.icmp import IcmpCollector
from collectors.probes.spec import ProbesError, load_probes
from devstack.netns import ProbeLab, probe_lab
from devstack.procs import free_port
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory
from pdcs.points import DEVICE_UP, SERVICE_PROBE


def _self_signed(tmp: Path, host: str, days: int) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(tmp / "cert.pem"), str(tmp / "key.pem")


def _wait_tcp(lab: ProbeLab, host: str, port: int) -> None:
    code = (
        f"import socket,time\nfor _ in range(100):\n try: socket.create_connection(('{host}',{port}),0.2); break"
        "\n except OSError: time.sleep(0.05)"
    )
    lab.probe.python(["-c", code], timeout=15)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProbeLab]:
    tmp = tmp_path_factory.mktemp("probe-lab")
    with probe_lab() as lab:
        cert, key = _self_signed(tmp, lab.alive, days=10)
        py = sys.executable
        lab.slow.start([py, "-m", "devstack.probe_targets", "slow-icmp", "0.4"])
        lab.target.start([py, "-m", "devstack.probe_targets", "http", lab.alive, "8080", "数字图书馆"])
        lab.target.start(
            [py, "-m", "devstack.probe_targets", "http", lab.alive, "8443", "数字图书馆", "--tls", cert, key]
        )
        lab.slow.start([py, "-m", "devstack.probe_targets", "http", lab.slow_host, "8080", "x", "--delay", "3"])
        lab.target.start([py, "-m", "devstack.probe_targets", "dns", lab.alive, "5353", "lib.example.cn", "10.77.0.80"])
        for host, port in ((lab.alive, 8080), (lab.alive, 8443), (lab.slow_host, 8080)):
            _wait_tcp(lab, host, port)
        time.sleep(0.3)  # the DNS and ICMP responders (no port to wait for)
        yield lab


def _probe(lab: ProbeLab, spec: dict[str, Any]) -> list[dict[str, Any]]:
    res = lab.probe.python(["-m", "tests.collectors.probes.nsrun", json.dumps(spec)], timeout=60)
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()]


def test_icmp_alive_dead_and_slow(lab: ProbeLab) -> None:
    pts = _probe(lab, {"icmp": {"alive": lab.alive, "dead": lab.dead, "slow": lab.slow_host}, "probes": []})
    by = {p["tags"]["device"]: p for p in pts}
    assert all(p["m"] == DEVICE_UP and p["tags"]["source"] == "icmp" for p in pts)
    assert by["alive"]["fields"]["up"] == 1 and by["alive"]["fields"]["rtt_ms"] < 200
    assert by["dead"]["fields"]["up"] == 0 and by["dead"]["fields"]["error"].startswith("timeout")
    assert "rtt_ms" not in by["dead"]["fields"]
    assert by["slow"]["fields"]["up"] == 1 and 350 <= by["slow"]["fields"]["rtt_ms"] < 1000  # answered 0.4 s late


def test_icmp_times_out_a_reply_slower_than_the_timeout(lab: ProbeLab) -> None:
    pts = _probe(lab, {"icmp": {"slow": lab.slow_host}, "probes": [], "timeout_s": 0.2})
    assert pts[0]["fields"]["up"] == 0 and "timeout" in pts[0]["fields"]["error"]


def test_http_tcp_and_dns_probes(lab: ProbeLab) -> None:
    a, s = lab.alive, lab.slow_host
    probes = [
        {"name": "门户", "device": "srv", "kind": "http", "url": f"http://{a}:8080/", "keyword": "数字图书馆",
         "device_up": True},
        {"name": "门户关键字", "device": "srv", "kind": "http", "url": f"http://{a}:8080/", "keyword": "不存在的词"},
        {"name": "缺页", "device": "srv", "kind": "http", "url": f"http://{a}:8080/missing"},
        {"name": "慢页面", "device": "srv", "kind": "http", "url": f"http://{s}:8080/", "timeout_s": 1},
        {"name": "证书将到期", "device": "srv", "kind": "http", "url": f"https://{a}:8443/", "verify_tls": False},
        {"name": "证书尚可", "device": "srv", "kind": "http", "url": f"https://{a}:8443/", "verify_tls": False,
         "cert_warn_days": 5},
        {"name": "证书不受信", "device": "srv", "kind": "http", "url": f"https://{a}:8443/"},
        {"name": "OPAC", "device": "srv", "kind": "tcp", "host": a, "port": 8080},
        {"name": "关闭端口", "device": "srv", "kind": "tcp", "host": a, "port": 8081},
        {"name": "失联主机", "device": "srv", "kind": "tcp", "host": lab.dead, "port": 80, "timeout_s": 1},
        {"name": "解析", "device": "srv", "kind": "dns", "server": a, "port": 5353, "query": "lib.example.cn",
         "expect": "10.77.0.80"},
        {"name": "解析失败", "device": "srv", "kind": "dns", "server": a, "port": 5353, "query": "nope.example.cn"},
    ]  # fmt: skip
    pts = _probe(lab, {"icmp": {}, "probes": probes})
    by = {p["tags"]["service"]: p for p in pts if p["m"] == SERVICE_PROBE}
    f = {k: v["fields"] for k, v in by.items()}
    assert f["门户"]["up"] == 1 and f["门户"]["status_code"] == 200 and f["门户"]["latency_ms"] > 0
    assert by["门户"]["tags"]["url"] == f"http://{a}:8080/" and by["门户"]["tags"]["probe"] == "http"
    assert f["门户关键字"]["up"] == 0 and "keyword" in f["门户关键字"]["error"]
    assert f["缺页"]["up"] == 0 and f["缺页"]["status_code"] == 404
    assert f["慢页面"]["up"] == 0 and f["慢页面"]["error"].startswith("timeout")
    assert f["证书将到期"]["up"] == 0 and 9 < f["证书将到期"]["cert_days_left"] <= 10
    assert "certificate expires" in f["证书将到期"]["error"]
    assert f["证书尚可"]["up"] == 1 and 9 < f["证书尚可"]["cert_days_left"] <= 10
    assert f["证书不受信"]["up"] == 0 and "CERTIFICATE_VERIFY_FAILED" in f["证书不受信"]["error"]
    assert f["OPAC"]["up"] == 1 and f["关闭端口"]["up"] == 0 and f["关闭端口"]["error"].startswith("refused")
    assert f["失联主机"]["up"] == 0 and f["失联主机"]["error"].startswith("timeout")
    assert f["解析"]["up"] == 1 and f["解析失败"]["up"] == 0 and "NXDOMAIN" in f["解析失败"]["error"]
    (up,) = [p for p in pts if p["m"] == DEVICE_UP]  # only the probe that decides the device's state
    assert up["tags"]["source"] == "http" and up["fields"]["up"] == 1


async def test_icmp_on_loopback_from_the_test_process() -> None:
    fac = Facility(id="f", name="馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
    inv = Inventory(facilities={"f": fac}, devices={"lo": Device(id="lo", kind=DeviceKind.KIOSK, facility="f",
                                                                  address=f"127.0.0.1:{free_port()}")})  # fmt: skip
    (p,) = await IcmpCollector().collect(Target.of(inv, inv.devices["lo"]))
    assert p.fields["up"] == 1 and p.tags["source"] == "icmp"  # the port part of an address is ignored
    await asyncio.sleep(0)


def test_probe_file_problems_are_listed_with_their_place(tmp_path: Path) -> None:
    f = tmp_path / "probes.yaml"
    f.write_text(
        "probes:\n"
        "  - {name: a, device: x, kind: http, url: 'ftp://x'}\n"
        "  - {name: b, device: x, kind: tcp, host: h}\n"
        "  - {name: c, device: x, kind: smtp}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProbesError) as err:
        load_probes(f)
    text = str(err.value)
    assert "probes[0]: Value error, url must start with http:// or https://" in text
    assert "probes[1]: Value error, a tcp probe needs port" in text and "probes[2].kind" in text
