"""Security checks as a reader sees them: the title from its baseline, the severity and the evidence as a sentence.

``security_check`` points carry the check id (``ios-ssh-v2``) and the audit's
one-line evidence (``no line matches /^ip ssh version 2$/``; see
collectors/ssh_audit/checks.py for the forms it takes). Reports show the check's
title from ``collectors/ssh_audit/baselines`` (or the agent's check), and the
evidence rewritten as a sentence: what is missing or forbidden, the configuration
line that shows it, and the baseline's remediation when a line is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from pdcs.i18n import Lang, register, text

if TYPE_CHECKING:
    from supervision.grading.catalogue import Catalogue

register(
    {
        "sec.severity.critical": ("严重", "critical"),
        "sec.severity.high": ("高", "high"),
        "sec.severity.medium": ("中", "medium"),
        "sec.severity.low": ("低", "low"),
        "sec.status.pass": ("通过", "passed"),
        "sec.status.fail": ("不通过", "failed"),
        "sec.status.unknown": ("未知", "unknown"),
        "sec.ev.missing": ("配置中缺少要求的内容", "the configuration lacks the required setting"),
        "sec.ev.missing_in": ("{parent} 下缺少要求的内容", "{parent} lacks the required setting"),
        "sec.ev.forbidden": ("配置了不允许的内容：{lines}", "a forbidden setting is configured: {lines}"),
        "sec.ev.out_of_bounds": ("取值不符合要求：{lines}", "a value is out of bounds: {lines}"),
        "sec.ev.found": ("相关配置：{lines}", "configuration: {lines}"),
        "sec.ev.fix": ("整改：{fix}", "fix: {fix}"),
        "sec.item.none": ("未对应等保条款（良好实践）", "no MLPS item (good practice)"),
    }
)


@dataclass(frozen=True)
class CheckInfo:
    title: dict[str, str]  # zh, en
    remediation: dict[str, str]


@cache
def catalogue() -> dict[str, CheckInfo]:
    """Every check id pdcs knows: the SSH baselines' rules and the terminal agent's checks."""
    from agents.checks import ALL_CHECKS
    from collectors.ssh_audit.rules import load_rules

    out = {
        r.id: CheckInfo({"zh": r.title.zh, "en": r.title.en}, {"zh": r.remediation.zh, "en": r.remediation.en})
        for r in load_rules()
    }
    for c in ALL_CHECKS:
        out.setdefault(c.id, CheckInfo({"zh": c.title_zh, "en": c.title}, {"zh": "", "en": ""}))
    return out


def check_title(check_id: str, lang: Lang) -> str:
    """The check's title in ``lang``; the id itself for a check no baseline names (a newer agent's)."""
    info = catalogue().get(check_id)
    return info.title[lang] if info else check_id


def severity_label(severity: str, lang: Lang) -> str:
    from pdcs.i18n import label

    return label("sec.severity", severity, lang)


@cache
def _requirements() -> Catalogue:
    from supervision.grading.catalogue import default_catalogue

    return default_catalogue()


def mlps_item_label(clause: str, lang: Lang) -> str:
    """``8.1.4.1 身份鉴别`` — the GB/T 22239-2019 clause with its title (supervision/grading/requirements.yaml);
    checks that no clause asks for (a login banner) say so instead of a blank."""
    if not clause:
        return text("sec.item.none", lang)
    cat = _requirements()
    canonical = cat.canonical(clause)
    item = next((i for i in cat.items if i.id == canonical), None)
    return f"{clause} {getattr(item.title, lang)}" if item else clause


_MISSING = re.compile(r"^(?:(?P<parent>.+?): )?no line matches /.+/(?: \(.+\))?$")
_FORBIDDEN = re.compile(r"^forbidden /.+/ is configured$")
_BOUNDS = re.compile(r"^value out of bounds: (?P<line>.+)$")
_LACKING = re.compile(r"^(?P<parent>.+) \(no /.+/\)$")


def evidence_sentence(check_id: str, detail: str, lang: Lang) -> str:
    """The audit's one-line evidence as a sentence with the configuration lines; regexes never shown."""
    parts = [p.strip() for p in detail.split("; ") if p.strip()]
    missing: list[str | None] = []
    forbidden = False
    bounds: list[str] = []
    lines: list[str] = []
    for p in parts:
        if m := _MISSING.match(p):
            missing.append(m.group("parent"))
        elif _FORBIDDEN.match(p):
            forbidden = True
        elif m := _BOUNDS.match(p):
            bounds.append(m.group("line"))
        elif m := _LACKING.match(p):
            missing.append(m.group("parent"))
        elif p not in ("pass", "fail", "unknown"):
            lines.append(p)
    sentences: list[str] = []
    for parent in dict.fromkeys(missing):
        sentences.append(text("sec.ev.missing_in", lang, parent=parent) if parent else text("sec.ev.missing", lang))
    quoted = "、".join(f"“{x}”" for x in lines) if lang == "zh" else ", ".join(f'"{x}"' for x in lines)
    if forbidden:
        sentences.append(text("sec.ev.forbidden", lang, lines=quoted))
    elif bounds:
        sentences.append(
            text("sec.ev.out_of_bounds", lang, lines="、".join(bounds) if lang == "zh" else ", ".join(bounds))
        )
    elif lines and not missing:
        sentences.append(text("sec.ev.found", lang, lines=quoted))
    if not sentences:
        return detail  # an agent's own sentence
    info = catalogue().get(check_id)
    if missing and info and info.remediation[lang]:
        sentences.append(text("sec.ev.fix", lang, fix=info.remediation[lang]))
    return ("；" if lang == "zh" else "; ").join(s.rstrip("。.") for s in sentences) + ("。" if lang == "zh" else ".")
