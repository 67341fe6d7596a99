"""snmpsim serving recordings of real devices from ``snmpsim-data``.

The community of a recording is its path under the data folder without
``.snmprec`` (``network/wifi/aruba-7210``).  Only the recordings asked for are
unpacked: snmpsim indexes every file on first start, and that is slow.
"""

from __future__ import annotations

import bz2
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pdcs.devstack.procs import Managed, free_udp_port, udp_answers
from pdcs.devstack.snmpd import _v2c_get_sysuptime

# Recordings of real devices served by default: small enough that snmpsim
# indexes them in seconds on a new machine (it indexes about 8,000 records/s;
# the largest recordings hold millions).  Wireless controllers first.
DEFAULT_RECORDINGS = (
    "network/wifi/aruba-7210",
    "network/wifi/aruba-7010",
    "network/wifi/ubiquiti-m5",
    "network/appliance/meru-networks-controller",
    "network/switch/cisco-c3560",
    "network/switch/ruijie-s5750-24gt12sfp",
    "network/switch/h3c-e528-2",
    "network/router/huawei-s5720",
)


def default_cache() -> Path:
    """A stable folder for unpacked recordings and snmpsim's index, reused across runs."""
    return Path(os.environ.get("PDCS_CACHE", Path.home() / ".cache" / "pdcs")) / "snmpsim"


def recordings_root() -> Path:
    import snmpsim_data

    return Path(snmpsim_data.__file__).parent / "data"


def unpack(recordings: tuple[str, ...] | list[str], data_dir: Path) -> None:
    root = recordings_root()
    for rec in recordings:
        dest = data_dir / f"{rec}.snmprec"
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        packed = root / f"{rec}.snmprec.bz2"
        plain = root / f"{rec}.snmprec"
        if packed.exists():
            dest.write_bytes(bz2.decompress(packed.read_bytes()))
        elif plain.exists():
            dest.write_bytes(plain.read_bytes())
        else:
            raise FileNotFoundError(f"no snmpsim-data recording {rec!r} under {root}")


@dataclass
class SnmpsimServer:
    host: str
    port: int
    data_dir: Path
    recordings: tuple[str, ...]
    v3_user: str
    v3_auth_key: str
    v3_priv_key: str
    process: Managed

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        self.process.stop()


def start_snmpsim(
    base: Path,
    recordings: tuple[str, ...] | list[str] = DEFAULT_RECORDINGS,
    *,
    data_dir: Path | None = None,
    extra_data: dict[str, str] | None = None,
    v3_user: str = "labuser",
    v3_auth_key: str = "labAuthPass1",
    v3_priv_key: str = "labPrivPass1",
    port: int | None = None,
    timeout_s: float = 120.0,
) -> SnmpsimServer:
    """Start snmpsim; ``extra_data`` adds hand-written recordings (community -> snmprec text)."""
    base.mkdir(parents=True, exist_ok=True)
    data_dir = data_dir or default_cache() / "data"
    unpack(tuple(recordings), data_dir)
    for community, text in (extra_data or {}).items():
        path = data_dir / f"{community}.snmprec"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    port = port or free_udp_port()
    responder = Path(sys.executable).parent / "snmpsim-command-responder"
    argv = [
        str(responder),
        f"--data-dir={data_dir}",
        f"--cache-dir={default_cache() / 'index'}",
        f"--agent-udpv4-endpoint=127.0.0.1:{port}",
        f"--v3-user={v3_user}",
        f"--v3-auth-key={v3_auth_key}",
        "--v3-auth-proto=SHA",
        f"--v3-priv-key={v3_priv_key}",
        "--v3-priv-proto=AES",
    ]
    proc = Managed("snmpsim", argv, base / "snmpsim.log", env={"SNMPSIM_ALLOW_ROOT": "true"}).start()
    first = (tuple(recordings) or tuple((extra_data or {}).keys()))[0]
    server = SnmpsimServer("127.0.0.1", port, data_dir, tuple(recordings), v3_user, v3_auth_key, v3_priv_key, proc)
    proc.wait_ready(lambda: udp_answers("127.0.0.1", port, _v2c_get_sysuptime(first.encode())), timeout_s)
    return server
