"""Evaluate a rule's condition tree over a parsed configuration.

Configurations are parsed by ciscoconfparse2 (syntax ``ios``): it builds the
parent/child tree from indentation, which is how Cisco IOS, Huawei VRP and H3C
Comware all write their configuration (VRP and Comware use ``#`` as the
section separator, which is a comment to the parser).  Linux files are flat
``keyword value`` lines, which parse the same way with ``#`` comments.

Each condition yields a verdict plus evidence: the configuration lines that
decided it (``parent > child`` for scoped lines) or a note of what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ciscoconfparse2 import CiscoConfParse

from collectors.ssh_audit.rules import Condition

MAX_EVIDENCE = 20  # lines kept per condition; a config with 300 vty lines does not need 300 lines of proof


@dataclass(frozen=True)
class Outcome:
    passed: bool
    evidence: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


class ParsedConfig:
    """One text (running configuration, a file, a command's output) ready for checks."""

    def __init__(self, text: str, comment: str = "!#") -> None:
        lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
        self.parse = CiscoConfParse(lines, syntax="ios", comment_delimiters=list(comment), ignore_blank_lines=True)

    def objects(self, regex: str, parent: str | None = None) -> list[tuple[str | None, str]]:
        """(parent text, line text) of every line matching ``regex``."""
        rx = re.compile(regex)
        if parent is None:
            return [(None, o.text) for o in self.parse.objs if not o.is_comment and rx.search(o.text.strip())]
        return [(p, c) for p, children in self.scoped(parent) for c in children if rx.search(c.strip())]

    def scoped(self, parent: str) -> list[tuple[str, list[str]]]:
        rx = re.compile(parent)
        return [
            (o.text.strip(), [c.text for c in o.all_children if not c.is_comment])
            for o in self.parse.objs
            if not o.is_comment and rx.search(o.text.strip())
        ]


# A secret's value follows one of these keywords (IOS "password 7 X", VRP "cipher X",
# Comware "simple X", "snmp-server community X").  Evidence keeps the keyword and masks
# the value, so a record proves "a plain-text password is configured" without holding it.
_SECRET = re.compile(
    r"(?<![\w-])(password|secret|simple|cipher|irreversible-cipher|hash|key-string|key"
    r"|community(?:\s+(?:read|write))?|authentication-mode\s+(?:md5|sha\w*)|privacy-mode\s+\w+)"
    r"(\s+(?:[0-9]\s+)?)(?!(?:simple|cipher|irreversible-cipher|hash|read|write|level"
    r"|authentication-mode|privacy-mode)(?![\w-]))(\S+)"
)
# Default communities are the finding itself and no secret: they stay visible.
_KNOWN_DEFAULTS = {"public", "private"}


def redact(line: str) -> str:
    def mask(m: re.Match[str]) -> str:
        value = m.group(3)
        if m.group(1).startswith("community") and value.lower() in _KNOWN_DEFAULTS:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}******"

    return _SECRET.sub(mask, line)


def _show(parent: str | None, line: str) -> str:
    return redact(f"{parent} > {line.strip()}" if parent else line.strip())


def _cap(lines: list[str]) -> tuple[str, ...]:
    if len(lines) > MAX_EVIDENCE:
        return (*lines[:MAX_EVIDENCE], f"… {len(lines) - MAX_EVIDENCE} more")
    return tuple(lines)


def evaluate(cond: Condition, cfg: ParsedConfig) -> Outcome:
    if cond.all is not None:
        parts = [evaluate(c, cfg) for c in cond.all]
        return _combine(all(p.passed for p in parts), parts)
    if cond.any is not None:
        parts = [evaluate(c, cfg) for c in cond.any]
        passed = any(p.passed for p in parts)
        # Evidence of an "any" that passed: the branches that passed; that failed: all of them.
        return _combine(passed, [p for p in parts if p.passed] if passed else parts)
    if cond.not_ is not None:
        inner = evaluate(cond.not_, cfg)
        return Outcome(not inner.passed, inner.evidence, inner.notes)
    if cond.present is not None:
        return _present(cond, cond.present, cfg)
    if cond.absent is not None:
        return _absent(cond, cond.absent, cfg)
    assert cond.value is not None
    return _value(cond, cond.value, cfg)


def _combine(passed: bool, parts: list[Outcome]) -> Outcome:
    ev: list[str] = []
    notes: list[str] = []
    for p in parts:
        ev.extend(x for x in p.evidence if x not in ev)
        notes.extend(x for x in p.notes if x not in notes)
    return Outcome(passed, _cap(ev), tuple(notes))


def _no_parent(cond: Condition, default: bool) -> Outcome:
    passed = default if cond.missing is None else cond.missing == "pass"
    return Outcome(passed, (), (f"no line matches /{cond.parent}/",))


def _present(cond: Condition, regex: str, cfg: ParsedConfig) -> Outcome:
    if cond.parent is None:
        found = cfg.objects(regex)
        if found:
            return Outcome(True, _cap([_show(p, c) for p, c in found]))
        passed = cond.missing == "pass"
        return Outcome(passed, (), (f"no line matches /{regex}/",))
    groups = cfg.scoped(cond.parent)
    if not groups:
        return _no_parent(cond, default=False)
    rx = re.compile(regex)
    ev: list[str] = []
    lacking: list[str] = []
    undefined: list[tuple[str, str]] = []
    for parent, children in groups:
        hits = [c for c in children if rx.search(c.strip())]
        if hits:
            ev.extend(_show(parent, c) for c in hits)
            undefined.extend(_undefined(cond, rx, hits, cfg))
        else:
            lacking.append(parent)
            ev.append(f"{parent} (no /{regex}/)")
    notes = tuple(f"{p}: no line matches /{regex}/" for p in lacking)
    notes += tuple(f"{name} is applied but not defined (no line matches /{rx_}/)" for name, rx_ in undefined)
    return Outcome(not lacking and not undefined, _cap(ev), notes)


def _undefined(cond: Condition, rx: re.Pattern[str], hits: list[str], cfg: ParsedConfig) -> list[tuple[str, str]]:
    """(name, regex) of every name the ``hits`` capture that no line defines (``Condition.defined``)."""
    if cond.defined is None:
        return []
    out: list[tuple[str, str]] = []
    for line in hits:
        m = rx.search(line.strip())
        name = m.group(1) if m else None
        if name is None:
            continue
        definition = cond.defined.replace("{ref}", re.escape(name))
        if not cfg.objects(definition):
            out.append((name, definition))
    return out


def _absent(cond: Condition, regex: str, cfg: ParsedConfig) -> Outcome:
    if cond.parent is not None and not cfg.scoped(cond.parent):
        return _no_parent(cond, default=True)
    found = cfg.objects(regex, cond.parent)
    if found:
        return Outcome(False, _cap([_show(p, c) for p, c in found]), (f"forbidden /{regex}/ is configured",))
    return Outcome(True, (), (f"no line matches /{regex}/ (as required)",))


def _value(cond: Condition, regex: str, cfg: ParsedConfig) -> Outcome:
    if cond.parent is not None and not cfg.scoped(cond.parent):
        return _no_parent(cond, default=False)
    rx = re.compile(regex)
    found = cfg.objects(regex, cond.parent)
    if not found:
        passed = cond.missing == "pass"
        return Outcome(passed, (), (f"no line matches /{regex}/" + (" (default accepted)" if passed else ""),))
    ev: list[str] = []
    bad: list[str] = []
    for parent, line in found:
        m = rx.search(line.strip())
        assert m is not None
        shown = _show(parent, line)
        ev.append(shown)
        if not _compare(cond, m.group(1)):
            bad.append(shown)
    notes = tuple(f"value out of bounds: {b}" for b in bad)
    return Outcome(not bad, _cap(ev), notes)


def _compare(cond: Condition, raw: str | None) -> bool:
    if raw is None:
        return False
    if cond.in_ is not None and raw.lower() not in {x.lower() for x in cond.in_}:
        return False
    if cond.not_in is not None and raw.lower() in {x.lower() for x in cond.not_in}:
        return False
    if cond.min is not None or cond.max is not None:
        try:
            number = float(raw)
        except ValueError:
            return False
        if cond.min is not None and number < cond.min:
            return False
        if cond.max is not None and number > cond.max:
            return False
    return True
