"""snmpsim serving recordings of real devices from ``snmpsim-data``.

The community of a recording is its path under the data folder without
``.snmprec`` (``network/wifi/aruba-7210``).  Only the recordings asked for are
unpacked: snmpsim indexes every file on first start, and that is slow.
"""

from __future__ import annotations

import bz2
import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from devstack.procs import Managed, free_udp_port, udp_answers
from devstack.snmpd import _v2c_get_sysuptime

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


# Always kept by trimming: the system group and the interface tables (IF-MIB ifTable and ifXTable).
BASE_SUBTREES = ("1.3.6.1.2.1.1.", "1.3.6.1.2.1.2.", "1.3.6.1.2.1.31.1.")


def read_recording(root: Path, rec: str) -> bytes:
    packed = root / f"{rec}.snmprec.bz2"
    plain = root / f"{rec}.snmprec"
    if packed.exists():
        return bz2.decompress(packed.read_bytes())
    if plain.exists():
        return plain.read_bytes()
    raise FileNotFoundError(f"no snmpsim-data recording {rec!r} under {root}")


def trim(data: bytes, keep: tuple[str, ...]) -> bytes:
    """Only the records under ``keep`` (OID prefixes) plus system and interfaces.

    The largest recordings hold millions of records and snmpsim indexes about
    8,000 a second; a collector reads a few subtrees of them, so a trimmed copy
    indexes in seconds and answers the same for everything it is asked.
    """
    prefixes = tuple(p.rstrip(".") + "." for p in keep) + BASE_SUBTREES
    lines = data.split(b"\n")
    kept = [line for line in lines if line.decode("ascii", "replace").startswith(prefixes)]
    return b"\n".join(kept) + b"\n"


def unpack(recordings: tuple[str, ...] | list[str], data_dir: Path, keep: tuple[str, ...] | None = None) -> None:
    """Unpack recordings into ``data_dir``; with ``keep``, trimmed to those subtrees."""
    root = recordings_root()
    for rec in recordings:
        dest = data_dir / f"{rec}.snmprec"
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = read_recording(root, rec)
        tmp = dest.with_suffix(".part")
        tmp.write_bytes(trim(data, keep) if keep is not None else data)
        tmp.replace(dest)


def rewrite_recording(data_dir: Path, community: str, text: str) -> Path:
    """Replace a served recording while snmpsim runs (its records must be in OID order).

    snmpsim re-indexes a data file at the next request when the file's mtime, in whole seconds, changed
    (``snmpsim/record/search/database.py``), so the new mtime is made later than the old by at least one.
    """
    path = data_dir / f"{community}.snmprec"
    old = int(path.stat().st_mtime) if path.exists() else 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_text(text, encoding="utf-8")
    stamp = max(int(time.time()), old + 1)
    os.utime(tmp, (stamp, stamp))
    tmp.replace(path)
    return path


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
    keep: tuple[str, ...] | None = None,
    extra_dirs: tuple[Path, ...] = (),
    ready_community: str = "",
) -> SnmpsimServer:
    """Start snmpsim; ``extra_data`` adds hand-written recordings (community -> snmprec text).

    ``keep`` serves trimmed copies (only those OID subtrees plus system and
    interfaces), in their own data folder so full and trimmed copies never mix.
    ``extra_dirs``: more data folders (a recording's community is its path under its folder), e.g. the
    day copies ``devstack/wifi_day.py`` rewrites; their recordings must be there before the start.
    ``ready_community``: the community asked for sysUpTime to see snmpsim ready (default: the first
    recording's).
    """
    base.mkdir(parents=True, exist_ok=True)
    if data_dir is None:
        data_dir = default_cache() / "data"
        if keep is not None:
            digest = hashlib.sha1("\n".join(sorted(keep)).encode()).hexdigest()[:10]
            data_dir = default_cache() / f"trimmed-{digest}"
    unpack(tuple(recordings), data_dir, keep)
    # snmpsim's index is per data file; a trimmed folder keeps its own beside it.
    index_dir = default_cache() / "index" if keep is None else data_dir.with_name(data_dir.name + "-index")
    for community, text in (extra_data or {}).items():
        path = data_dir / f"{community}.snmprec"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    port = port or free_udp_port()
    responder = Path(sys.executable).parent / "snmpsim-command-responder"
    argv = [
        str(responder),
        f"--data-dir={data_dir}",
        *(f"--data-dir={d}" for d in extra_dirs),
        f"--cache-dir={index_dir}",
        f"--agent-udpv4-endpoint=127.0.0.1:{port}",
        f"--v3-user={v3_user}",
        f"--v3-auth-key={v3_auth_key}",
        "--v3-auth-proto=SHA",
        f"--v3-priv-key={v3_priv_key}",
        "--v3-priv-proto=AES",
    ]
    proc = Managed("snmpsim", argv, base / "snmpsim.log", env={"SNMPSIM_ALLOW_ROOT": "true"}).start()
    first = ready_community or (tuple(recordings) or tuple((extra_data or {}).keys()))[0]
    server = SnmpsimServer("127.0.0.1", port, data_dir, tuple(recordings), v3_user, v3_auth_key, v3_priv_key, proc)
    proc.wait_ready(lambda: udp_answers("127.0.0.1", port, _v2c_get_sysuptime(first.encode())), timeout_s)
    return server
