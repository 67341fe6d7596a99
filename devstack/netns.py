"""Network namespaces for tests that need addresses of their own (probes, discovery).

``probe_lab()`` builds, with a name unique to the process:

```
  ns "probe"  p0 10.77.<n>.1/24 ──veth── p1 10.77.<n>.2/24  ns "target"
              p2 10.78.<n>.1/24 ──veth── p3 10.78.<n>.2/24  ns "slow" (ICMP echo answered late, by a program)
```

10.77.<n>.9 is an address of the target subnet nobody holds (a dead device).
Every address lives inside namespaces created here and deleted on exit; the
root namespace gets no address and no route, so nothing a test sends can leave
the machine.  Needs root (``ip netns``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@dataclass
class Netns:
    name: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, argv: Sequence[str], **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], capture_output=True, text=True, **kw)  # type: ignore[call-overload]

    def python(self, code_or_module: Sequence[str], **kw: object) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        return self.run([sys.executable, *code_or_module], env=env, **kw)

    def start(self, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        p = subprocess.Popen(["ip", "netns", "exec", self.name, *argv], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        self.procs.append(p)
        return p

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


@dataclass
class ProbeLab:
    probe: Netns
    target: Netns
    slow: Netns
    n: int

    @property
    def alive(self) -> str:
        return f"10.77.{self.n}.2"

    @property
    def dead(self) -> str:
        return f"10.77.{self.n}.9"

    @property
    def slow_host(self) -> str:
        return f"10.78.{self.n}.2"


@contextmanager
def probe_lab() -> Iterator[ProbeLab]:
    n = os.getpid() % 250 + 1
    tag = f"pdcs{os.getpid()}"
    spaces = [Netns(f"{tag}-{role}") for role in ("probe", "target", "slow")]
    probe, target, slow = spaces
    try:
        for ns in spaces:
            _ip("netns", "add", ns.name)
            _ip("-n", ns.name, "link", "set", "lo", "up")
        for (a, b), (ifa, ifb), net in (((probe, target), ("p0", "p1"), 77), ((probe, slow), ("p2", "p3"), 78)):
            _ip("link", "add", ifa, "netns", a.name, "type", "veth", "peer", "name", ifb, "netns", b.name)
            _ip("-n", a.name, "addr", "add", f"10.{net}.{n}.1/24", "dev", ifa)
            _ip("-n", b.name, "addr", "add", f"10.{net}.{n}.2/24", "dev", ifb)
            _ip("-n", a.name, "link", "set", ifa, "up")
            _ip("-n", b.name, "link", "set", ifb, "up")
        # The slow host's kernel stays silent; devstack.probe_targets answers its echo requests late.
        slow.run(["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"], check=True)
        yield ProbeLab(probe, target, slow, n)
    finally:
        for ns in spaces:
            ns.stop()
