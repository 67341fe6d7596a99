"""One git repository of configuration versions, one file per device (``<device>.cfg``).

Driven through Debian's ``git`` command (no library: the repository stays a
plain git repository an engineer can clone, ``git log -p`` and push to a
central server).  Every write holds an exclusive ``flock`` on
``.git/pdcs.lock``, so the collector's audits (threads) and a ``pdcs config
fetch`` beside it (another process) never interleave.  Commits carry the time
the configuration was fetched and the source (``ssh_audit`` or ``fetch``).
Global and system git configuration are ignored, so a user's hooks, signing
or templates cannot change what is stored.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from collectors.config_history.mask import mask_config

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SEP = "\x1f"


class HistoryError(RuntimeError):
    """git failed or the repository is unusable (message without any configuration text)."""


@dataclass(frozen=True)
class Version:
    commit: str
    time: datetime
    source: str


@dataclass(frozen=True)
class Saved:
    """A configuration stored as a new version; ``previous`` is None for a device's first one."""

    version: Version
    previous: Version | None
    added: int
    removed: int


@dataclass(frozen=True)
class ConfigDiff:
    device: str
    old: Version | None  # None: the device had no version then (every line is new)
    new: Version
    added: tuple[str, ...]
    removed: tuple[str, ...]
    unified: str  # git's unified diff (masked text only)


def _file(device: str) -> str:
    if not _SAFE_ID.match(device):
        raise HistoryError(f"device id {device!r} cannot name a file in the history")
    return f"{device}.cfg"


class ConfigRepo:
    def __init__(self, path: Path, *, author: str = "pdcs-collector") -> None:
        self.path = path
        self.author = author
        self._lock = threading.Lock()

    # -- git plumbing ------------------------------------------------------------------------
    def _git(self, *args: str, when: datetime | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": self.author,
            "GIT_AUTHOR_EMAIL": f"{self.author}@pdcs.invalid",
            "GIT_COMMITTER_NAME": self.author,
            "GIT_COMMITTER_EMAIL": f"{self.author}@pdcs.invalid",
            "LC_ALL": "C",
        }
        if when is not None:
            stamp = f"@{int(when.timestamp())} +0000"
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
        try:
            done = subprocess.run(
                ["git", "-C", str(self.path), *args], env=env, capture_output=True, text=True, encoding="utf-8"
            )
        except FileNotFoundError as exc:
            raise HistoryError("git is not installed (Debian package git)") from exc
        if check and done.returncode != 0:
            raise HistoryError(f"git {args[0]} failed ({done.returncode}): {done.stderr.strip()[:200]}")
        return done

    def exists(self) -> bool:
        return (self.path / ".git").is_dir()

    def ensure(self) -> None:
        if self.exists():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        self._git("init", "-q", "-b", "main")
        self._git("config", "core.hooksPath", os.devnull)
        self._git("config", "commit.gpgsign", "false")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            self.ensure()
            with open(self.path / ".git" / "pdcs.lock", "w") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    # -- writing -----------------------------------------------------------------------------
    def save(self, device: str, config: str, *, source: str, when: datetime | None = None) -> Saved | None:
        """Store ``config`` (masked here) as the device's new version; None when it did not change."""
        name = _file(device)
        when = when or datetime.now(UTC)
        text = mask_config(config)
        with self._locked():
            target = self.path / name
            tmp = self.path / f".{name}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
            self._git("add", "--", name)
            if self._git("diff", "--cached", "--quiet", "--", name, check=False).returncode == 0:
                return None
            previous = self._latest(name)
            stat = self._git("diff", "--cached", "--numstat", "--", name).stdout.split()
            added, removed = (int(stat[0]), int(stat[1])) if len(stat) >= 2 and stat[0].isdigit() else (0, 0)
            stamp = when.astimezone(UTC).isoformat(timespec="seconds")
            self._git("commit", "-q", "--no-verify", "-m", f"{device}: {source} {stamp}", "--", name, when=when)
            latest = self._latest(name)
        assert latest is not None
        return Saved(Version(latest.commit, latest.time, source), previous, added, removed)

    # -- reading -----------------------------------------------------------------------------
    def _log(self, name: str, *extra: str) -> list[Version]:
        if not self.exists():
            return []
        out = self._git("log", f"--format=%H{_SEP}%at{_SEP}%s", *extra, "--", name, check=False)
        versions = []
        for line in out.stdout.splitlines():
            commit, at, subject = line.split(_SEP, 2)
            source = subject.split(": ", 1)[1].split(" ", 1)[0] if ": " in subject else ""
            versions.append(Version(commit, datetime.fromtimestamp(int(at), UTC), source))
        return versions

    def _latest(self, name: str) -> Version | None:
        found = self._log(name, "-1")
        return found[0] if found else None

    def versions(self, device: str) -> list[Version]:
        """Newest first."""
        return self._log(_file(device))

    def text(self, device: str, version: Version) -> str:
        return self._git("show", f"{version.commit}:{_file(device)}").stdout

    def diff(self, device: str, since: datetime | None = None) -> ConfigDiff | None:
        """What changed: from the version in force at ``since`` (else the one before the latest) to the latest.

        None when the device has no version.  A ``since`` before the first
        version compares with nothing (every line added).
        """
        name = _file(device)
        versions = self._log(name)
        if not versions:
            return None
        new = versions[0]
        if since is None:
            old = versions[1] if len(versions) > 1 else None
        else:
            old = next((v for v in versions if v.time <= since), None)
        if old is not None and old.commit == new.commit:
            return ConfigDiff(device, old, new, (), (), "")
        if old is None:
            body = self.text(device, new)
            lines = [f"+{ln}" for ln in body.splitlines()]
            unified = f"--- /dev/null\n+++ b/{name}\n" + "\n".join(lines) + ("\n" if lines else "")
        else:
            unified = self._git("diff", "--no-color", "-U3", old.commit, new.commit, "--", name).stdout
        added = tuple(ln[1:] for ln in unified.splitlines() if ln.startswith("+") and not ln.startswith("+++"))
        removed = tuple(ln[1:] for ln in unified.splitlines() if ln.startswith("-") and not ln.startswith("---"))
        return ConfigDiff(device, old, new, added, removed, unified)
