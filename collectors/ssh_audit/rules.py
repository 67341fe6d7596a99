"""Baseline rules as data: the model of one rule and the loader of rule files.

A rule file (``baselines/<dialect>.yaml``) holds a list under ``rules:``.
Each rule names the CLI dialects it applies to, the check (a tree of
conditions over configuration lines, see :mod:`collectors.ssh_audit.checks`),
the MLPS 2.0 (GB/T 22239-2019) requirement item and levels it evidences, the
CIS benchmark item where one exists, a severity and remediation text.

``load_rules`` validates every file and raises :class:`RulesError` listing
every problem as ``file:line: field: message``, like the inventory loader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pdcs.yaml_lines import YamlDocument

BASELINES_DIR = Path(__file__).resolve().parent / "baselines"

DIALECTS = ("cisco_ios", "huawei_vrp", "h3c_comware", "ruijie_rgos", "linux")
Dialect = Literal["cisco_ios", "huawei_vrp", "h3c_comware", "ruijie_rgos", "linux"]
Severity = Literal["low", "medium", "high", "critical"]
MLPS_ITEM = re.compile(r"^[78]\.1\.\d+\.\d+$")  # 7.1.x.y (level 2) or 8.1.x.y (level 3) of GB/T 22239-2019


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


class Condition(_Model):
    """One node of a check.  Exactly one kind per node:

    - ``present: RE`` — some line matches; under ``parent``, every parent has a matching child.
    - ``absent: RE`` — no line matches (under ``parent``: no parent has a matching child).
    - ``value: RE`` (one group) with ``min``/``max``/``in``/``not_in`` — every matching line's
      captured value satisfies the comparison.
    - ``all: [...]``, ``any: [...]``, ``not: {...}`` — combinations.

    ``parent: RE`` scopes a leaf to the children of the lines it matches.
    ``defined: RE`` (with ``present``, whose regex then has one capture group) also asks that
    the name each matching line captures is defined: some line matches ``defined`` with
    ``{ref}`` replaced by that name (an access list applied to an interface must exist).
    Regexes may hold ``{uplink_interface}``, bound per device (see ``Rule.requires``).
    ``missing`` is the result when nothing is there to judge (no parent
    line, no value line): ``fail`` by default, ``pass`` when the device's
    default is compliant (e.g. IOS's default exec-timeout of 10 minutes).
    """

    present: str | None = None
    absent: str | None = None
    value: str | None = None
    parent: str | None = None
    min: float | None = None
    max: float | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str, ...] | None = None
    missing: Literal["pass", "fail"] | None = None
    defined: str | None = None
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    @field_validator("present", "absent", "value", "parent", "defined")
    @classmethod
    def _re(cls, v: str | None) -> str | None:
        return _regex(v)

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = [k for k in ("present", "absent", "value", "all", "any", "not_") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of present, absent, value, all, any, not")
        kind = kinds[0]
        if kind == "value":
            assert self.value is not None
            if re.compile(self.value).groups < 1:
                raise ValueError("value: the regular expression needs one capture group")
            if self.min is None and self.max is None and self.in_ is None and self.not_in is None:
                raise ValueError("value: give min, max, in or not_in to compare with")
        elif self.min is not None or self.max is not None or self.in_ is not None or self.not_in is not None:
            raise ValueError("min/max/in/not_in belong to a value condition")
        if kind in ("all", "any", "not_") and (self.parent is not None or self.missing is not None):
            raise ValueError("parent/missing belong to a present, absent or value condition")
        if kind in ("all", "any") and not getattr(self, kind):
            raise ValueError(f"{kind}: needs at least one condition")
        if self.defined is not None:
            if kind != "present" or re.compile(self.present or "").groups < 1:
                raise ValueError("defined: belongs to a present condition whose regex has one capture group")
            if "{ref}" not in self.defined:
                raise ValueError("defined: the regular expression must hold {ref}, the captured name")
        return self

    def bind(self, facts: dict[str, str]) -> Condition:
        """This condition with every ``{name}`` of ``facts`` in its regexes replaced by the escaped value."""

        def sub(rx: str | None) -> str | None:
            if rx is None:
                return None
            for name, value in facts.items():
                rx = rx.replace("{" + name + "}", re.escape(value))
            return rx

        update: dict[str, object] = {
            k: sub(getattr(self, k)) for k in ("present", "absent", "value", "parent", "defined")
        }
        update["all"] = tuple(c.bind(facts) for c in self.all) if self.all is not None else None
        update["any"] = tuple(c.bind(facts) for c in self.any) if self.any is not None else None
        update["not_"] = self.not_.bind(facts) if self.not_ is not None else None
        return self.model_copy(update=update)


class LocalText(_Model):
    zh: str
    en: str


class MlpsRef(_Model):
    """The GB/T 22239-2019 requirement item a rule evidences.

    ``item`` is the level-3 clause (``8.1.4.1`` 身份鉴别), the canonical key of a
    requirement; the grading catalogue (``supervision/grading/requirements``)
    records the level-2 clause of the same requirement beside it (7.1.4.1 …).
    ``levels`` are the levels whose requirement text asks for what the rule checks.
    """

    item: str
    levels: tuple[Literal[2, 3], ...] = (2, 3)

    @field_validator("item")
    @classmethod
    def _item(cls, v: str) -> str:
        if not MLPS_ITEM.match(v):
            raise ValueError("must be a GB/T 22239-2019 clause such as 8.1.4.1")
        return v

    @property
    def lowest_level(self) -> int:
        return min(self.levels)


class Rule(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: LocalText
    dialects: tuple[Dialect, ...]
    source: str = "config"  # which fetched text the check reads (Linux: sshd_config, login_defs …)
    check: Condition
    mlps: MlpsRef | None = None  # None: good practice that GB/T 22239 does not ask for (a login banner)
    cis: str | None = None  # CIS benchmark item, e.g. "CIS Cisco IOS 16 1.5.1"
    severity: Severity
    remediation: LocalText
    # Inventory facts the check needs, bound into its regexes as {name}; a device without
    # one gets ``unknown`` (8.1.3.1 must know which interface is the boundary).
    requires: tuple[Literal["uplink_interface"], ...] = ()

    @field_validator("dialects")
    @classmethod
    def _dialects(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("name at least one dialect")
        return v


class RulesError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("baseline rules are invalid:\n" + "\n".join(problems))
        self.problems = problems


def _field_path(loc: Iterable[int | str]) -> str:
    return ".".join(str(p).rstrip("_") for p in loc)


def parse_rules(text: str, name: str) -> list[Rule]:
    """Rules from one file's text; ``name`` is the file name used in messages."""
    try:
        doc = YamlDocument(text)
    except Exception as exc:  # yaml.YAMLError and scanner errors carry their own mark
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise RulesError([f"{name}:{line}: yaml: {getattr(exc, 'problem', exc)}"]) from None
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError([f"{name}:1: rules: the file must hold a list under 'rules:'"])
    problems: list[str] = []
    rules: list[Rule] = []
    for i, raw in enumerate(data["rules"]):
        try:
            rules.append(Rule.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                loc = list(err["loc"])
                line = doc.line_of(("rules", i, *[("not" if p == "not_" else "in" if p == "in_" else p) for p in loc]))
                rid = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
                field = _field_path(loc) or "rule"
                problems.append(f"{name}:{line}: {rid}.{field}: {err['msg'].removeprefix('Value error, ')}")
    return rules if not problems else _raise(problems)


def _raise(problems: list[str]) -> list[Rule]:
    raise RulesError(problems)


def load_rules(folder: Path = BASELINES_DIR) -> list[Rule]:
    """Every rule of every ``*.yaml`` under ``folder``; ids must be unique."""
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            found = parse_rules(path.read_text(encoding="utf-8"), str(path))
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        for rule in found:
            if rule.id in seen:
                problems.append(f"{path}:1: {rule.id}.id: duplicate rule id (also in {seen[rule.id]})")
            seen[rule.id] = str(path)
            rules.append(rule)
    if problems:
        raise RulesError(problems)
    return rules


def rules_for(rules: Iterable[Rule], dialect: str) -> list[Rule]:
    return [r for r in rules if dialect in r.dialects]
