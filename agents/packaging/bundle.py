"""Build the offline install bundle of pdcs-agent.

    python -m agents.packaging.bundle --out dist
      → dist/pdcs-agent-<version>-linux-x86_64.tar.gz

The bundle holds wheels (the agent itself, prometheus-client, psutil, PyYAML),
``install.sh``, the systemd unit, the WinSW service definition, an example
configuration and the README.  Installing needs no network and no pip: the
wheels are zip files that install.sh unpacks next to each other.

Building needs no network either: the agent's wheel is written from the source
tree, and the dependency wheels are repacked from the distributions installed
in the running interpreter (or taken from ``--wheels DIR``, which is how a
Windows bundle gets its win_amd64 wheels: ``pip download --only-binary=:all:
--platform win_amd64 --python-version 3.11 -d DIR prometheus-client psutil pyyaml``;
``--extra DIR`` adds the embeddable Python and WinSW's exe).
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import importlib.metadata as md
import io
import shutil
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from agents import __version__

HERE = Path(__file__).resolve().parent
AGENT_SRC = HERE.parent
DEPENDENCIES = ("prometheus-client", "psutil", "PyYAML")
BUNDLE_FILES = ("install.sh", "install-windows.ps1", "pdcs-agent.service", "pdcs-agent.xml", "agent.example.yaml")
# The one module of the core the agent imports (YAML limits: standard library and PyYAML only),
# shipped under a ``pdcs`` package of its own; the agent is never installed beside the server.
CORE_MODULES = ("yaml_guard.py",)
CORE_INIT = b'"""The part of the pdcs core that pdcs-agent ships: YAML limits."""\n'
_SKIP_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(
    out: Path, dist_name: str, version: str, tag: str, files: Iterable[tuple[str, bytes]], dist_info: str = ""
) -> Path:
    """A wheel (zip + dist-info RECORD with hashes) from (archive name, bytes) pairs."""
    norm = dist_name.replace("-", "_")
    path = out / f"{norm}-{version}-{tag}.whl"
    record_name = f"{dist_info or f'{norm}-{version}.dist-info'}/RECORD"
    rows: list[list[str]] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
            rows.append([name, _hash(data), str(len(data))])
        rows.append([record_name, "", ""])
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        zf.writestr(zipfile.ZipInfo(record_name, date_time=(2026, 1, 1, 0, 0, 0)), buf.getvalue())
    return path


def agent_wheel(out: Path) -> Path:
    """The ``pdcs-agent`` wheel: the ``agents`` package, its three dependencies and a console script."""
    files: list[tuple[str, bytes]] = []
    for f in sorted(AGENT_SRC.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc",):
            files.append((f"agents/{f.relative_to(AGENT_SRC).as_posix()}", f.read_bytes()))
    files.append(("pdcs/__init__.py", CORE_INIT))
    files += [(f"pdcs/{m}", (AGENT_SRC.parent / "pdcs" / m).read_bytes()) for m in CORE_MODULES]
    di = f"pdcs_agent-{__version__}.dist-info"
    meta = "\n".join(
        [
            "Metadata-Version: 2.1",
            "Name: pdcs-agent",
            f"Version: {__version__}",
            "Summary: pdcs terminal/kiosk agent: host metrics and MLPS 2.0 security checks",
            "License: Apache-2.0",
            "Requires-Python: >=3.11",
            *(f"Requires-Dist: {d}" for d in ("prometheus-client>=0.20", "psutil>=5.9", "PyYAML>=6")),
            "",
        ]
    )
    wheel = "Wheel-Version: 1.0\nGenerator: pdcs bundle\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files += [
        (f"{di}/METADATA", meta.encode()),
        (f"{di}/WHEEL", wheel.encode()),
        (f"{di}/entry_points.txt", b"[console_scripts]\npdcs-agent = agents.cli:main\n"),
        (f"{di}/top_level.txt", b"agents\npdcs\n"),
    ]
    return write_wheel(out, "pdcs-agent", __version__, "py3-none-any", files)


def repack_installed(name: str, out: Path) -> Path:
    """A wheel rebuilt from an installed distribution (its files as RECORD lists them)."""
    dist = md.distribution(name)
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [ln.split(":", 1)[1].strip() for ln in wheel_meta.splitlines() if ln.startswith("Tag:")]
    if not tags:
        raise SystemExit(f"{name}: installed without WHEEL metadata; pass --wheels DIR instead")
    files: list[tuple[str, bytes]] = []
    dist_info = ""
    for f in dist.files or ():
        parts = Path(str(f)).parts
        if parts[0] == ".." or "__pycache__" in parts or str(f).endswith(".pyc"):
            continue
        if parts[0].endswith(".dist-info"):
            dist_info = parts[0]
            if parts[-1] in _SKIP_DIST_INFO:
                continue
        files.append((Path(str(f)).as_posix(), Path(str(dist.locate_file(f))).read_bytes()))
    return write_wheel(out, dist.metadata["Name"], dist.version, tags[0], files, dist_info)


def build(out_dir: Path, *, wheels: Path | None = None, extra: Path | None = None, platform: str = "linux") -> Path:
    name = f"pdcs-agent-{__version__}-{platform}-x86_64"
    stage = out_dir / name
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "wheels").mkdir(parents=True)
    agent_wheel(stage / "wheels")
    if wheels is not None:
        for w in sorted(wheels.glob("*.whl")):
            shutil.copy2(w, stage / "wheels" / w.name)
    else:
        for dep in DEPENDENCIES:
            repack_installed(dep, stage / "wheels")
    for f in BUNDLE_FILES:
        shutil.copy2(HERE / f, stage / f)
    (stage / "install.sh").chmod(0o755)
    shutil.copy2(AGENT_SRC / "README.md", stage / "README.md")
    if extra is not None:
        shutil.copytree(extra, stage, dirs_exist_ok=True)
    if platform == "windows":
        archive = out_dir / f"{name}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for item in sorted(stage.rglob("*")):
                zf.write(item, f"{name}/{item.relative_to(stage).as_posix()}")
    else:
        archive = out_dir / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tf:
            tf.add(stage, arcname=name)
    shutil.rmtree(stage)
    return archive


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m agents.packaging.bundle", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default dist/)")
    ap.add_argument("--wheels", type=Path, help="take dependency wheels from this folder instead of repacking")
    ap.add_argument("--extra", type=Path, help="folder copied into the bundle (embeddable Python, WinSW exe)")
    ap.add_argument("--platform", choices=("linux", "windows"), default="linux")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    archive = build(args.out, wheels=args.wheels, extra=args.extra, platform=args.platform)
    print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
