"""Every command of the README's ``sh`` blocks (and the ``$`` lines of its ``console`` transcripts) runs as
written against a fresh ``pdcs dev up``, in a folder laid out like a clone, in a shell that ran the README's
first block (PATH, ``. var/dev/env``, the token). A command fails the test when it prints a traceback, gets
an HTTP 4xx/5xx answer, or prints nothing although it is not an assignment. ``shell`` blocks are for real
deployments (compose, a real Grafana) and are not run.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.procs import free_port
from tests.support.cli import REPO, interruptible, pdcs_argv, pdcs_env

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
HTTP = re.compile(r"@@HTTP (\d{3})@@")
QUIET = re.compile(r"^(export |\. |[A-Z_]+=\$\()")  # assignments print nothing, by design


@dataclass(frozen=True)
class Example:
    block: int
    command: str


def readme_examples(text: str) -> list[list[Example]]:
    """The commands of each runnable block, continuation lines joined."""
    blocks: list[list[Example]] = []
    for n, match in enumerate(FENCE.finditer(text)):
        lang, body = match.group(1), match.group(2)
        if lang not in ("sh", "console"):
            continue
        lines = body.replace("\\\n", " ").splitlines()
        if lang == "console":
            lines = [line[2:] for line in lines if line.startswith("$ ")]
        commands = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
        if commands:
            blocks.append([Example(n, c) for c in commands])
    return blocks


def test_readme_blocks_are_found() -> None:
    blocks = readme_examples((REPO / "README.md").read_text(encoding="utf-8"))
    commands = [e.command for b in blocks for e in b]
    assert any(c.startswith(". var/dev/env") for c in commands)
    assert any("pdcs report" in c for c in commands) and any("/assessment" in c for c in commands)
    assert not any("docker compose" in c or "grafana push" in c for c in commands)


def _clone_like_folder(root: Path) -> dict[str, str]:
    """``root`` with the repo's inventory, a ``.venv/bin/pdcs`` running this tree's code, and a ``curl`` that
    also prints the HTTP status; the environment a user's shell would have (no PDCS_* settings)."""
    (root / "inventory").symlink_to(REPO / "inventory")
    (root / "var").mkdir()
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "pdcs").write_text(f'#!/bin/sh\nexec {sys.executable} -m pdcs "$@"\n', encoding="utf-8")
    tools = root / "tools"
    tools.mkdir()
    (tools / "curl").write_text(
        "#!/bin/sh\nexec /usr/bin/curl -w '\\n@@HTTP %{http_code}@@\\n' \"$@\"\n", encoding="utf-8"
    )
    for script in (venv_bin / "pdcs", tools / "curl"):
        script.chmod(0o755)
    env = {k: v for k, v in pdcs_env().items() if not k.startswith("PDCS_")}
    env["PATH"] = f"{tools}:{env['PATH']}"
    return env


def _run_block(block: list[Example], prelude: str, cwd: Path, env: dict[str, str]) -> list[tuple[str, int, str]]:
    script = ["exec 2>&1", prelude]
    for i, ex in enumerate(block):
        script += [f"echo '@@begin {i}@@'", ex.command, f'echo "@@end {i} $?@@"']
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    results = []
    for i, ex in enumerate(block):
        m = re.search(rf"@@begin {i}@@\n(.*?)@@end {i} (\d+)@@", done.stdout, re.S)
        assert m, f"{ex.command}: did not run\n{done.stdout[-2000:]}"
        results.append((ex.command, int(m.group(2)), m.group(1)))
    return results


def _problem(command: str, output: str, cwd: Path) -> str | None:
    if "Traceback (most recent call last)" in output:
        return "traceback"
    bad = [int(s) for s in HTTP.findall(output) if int(s) >= 400]
    if bad:
        return f"HTTP {bad[0]}"
    written = re.search(r"(?:-o|--output) (\S+)", command)  # the answer is the file it writes
    if written:
        path = cwd / written.group(1)
        return None if path.is_file() and path.stat().st_size > 0 else f"{written.group(1)} not written"
    if not QUIET.match(command) and not HTTP.sub("", output).strip():
        return "empty answer"
    return None


def test_every_readme_command_runs_against_dev_up(tmp_path: Path) -> None:
    root = tmp_path / "clone"
    root.mkdir()
    env = _clone_like_folder(root)
    port = free_port()
    proc = subprocess.Popen(
        pdcs_argv("dev", "up", "--api-port", str(port), "--interval", "5"),
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=interruptible,
    )
    try:
        _wait_for_first_polls(proc, root, port)
        blocks = readme_examples((REPO / "README.md").read_text(encoding="utf-8"))
        first = next(b for b in blocks if any(e.command.startswith(". var/dev/env") for e in b))
        prelude = "\n".join(e.command for e in first if QUIET.match(e.command))
        failures = []
        for block in blocks:
            for command, status, output in _run_block(block, prelude if block is not first else "", root, env):
                problem = _problem(command, output, root)
                if problem:
                    failures.append(f"{command}\n  → {problem} (exit {status}): {output.strip()[-600:]}")
        assert not failures, "\n".join(failures)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert "environment" in out and "var/dev/env" in out
    assert not (root / "var" / "dev" / "env").exists(), "the environment file goes when the servers go"


def _wait_for_first_polls(proc: subprocess.Popen[str], root: Path, port: int) -> None:
    """Until the API answers with polls of a simulated device (the README says: after the first poll)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        token_file = root / "var" / "dev" / "api-token"
        if (root / "var" / "dev" / "env").exists() and token_file.exists():
            auth = {"Authorization": f"Bearer {token_file.read_text().strip()}"}
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/devices/sim-lib-core-sw/availability", headers=auth, timeout=5)
                if r.status_code == 200 and r.json().get("answered", 0) >= 1:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(1)
    raise AssertionError("no polls answered within 240 s")
