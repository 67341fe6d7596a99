"""Load ``*.yaml`` rule files; every problem comes back as ``file:line: field: message``.

A file holds ``rules:``, a list of rule mappings.  YAML is composed (not just
loaded) so each problem can name the line of the field it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from alert_rules.model import Rule
from pdcs import yaml_guard

DEFAULT_RULES_DIR = Path(__file__).resolve().parent


class RulesError(Exception):
    """The rule files have problems; ``problems`` lists them as ``file:line: field: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in alert rules:\n" + "\n".join(problems))
        self.problems = problems


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                found: yaml.Node = v
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item: yaml.Node = node.value[key]
        return item
    return None


def _key_node(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value == key:
                key_node: yaml.Node = k
                return key_node
    return None


def _locate(node: yaml.Node, loc: Iterable[str | int]) -> int:
    """Line of the deepest node along ``loc`` that exists in the file."""
    line = _line(node)
    current: yaml.Node | None = node
    for part in loc:
        if current is None:
            break
        key = _key_node(current, part) if isinstance(part, str) else None
        child = _child(current, part)
        if key is not None:
            line = _line(key)
        elif child is not None:
            line = _line(child)
        else:
            break
        current = child
    return line


def _field_name(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc) or "rule"


def _rule_problems(path: Path, node: yaml.Node, data: Any, index: int) -> tuple[Rule | None, list[str]]:
    where = f"rules[{index}]"
    if not isinstance(data, dict):
        return None, [f"{path}:{_line(node)}: {where}: must be a mapping with name, query, condition …"]
    try:
        return Rule.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            field = _field_name(loc)
            # Cross-field problems say which field in their message ("resource: ...").
            if not loc and ": " in msg:
                field, msg = msg.split(": ", 1)
                loc = (field,)
            name = data.get("name", where)
            problems.append(f"{path}:{_locate(node, loc)}: {name}.{field}: {msg}")
        return None, problems


def load_rules_file(path: Path) -> tuple[list[tuple[Rule, yaml.Node]], list[str]]:
    """The valid rules of one file (each with its YAML node, for line numbers) and every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [], [f"{path}:1: file: cannot read: {exc.strerror}"]
    try:
        root = yaml_guard.compose(text)
        data = yaml_guard.construct(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return [], [f"{path}:{line}: yaml: {getattr(exc, 'problem', None) or exc}"]
    if root is None or data is None:
        return [], []
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return [], [f"{path}:{_line(root)}: rules: the file must hold `rules:`, a list of rules"]
    unknown = set(data) - {"rules"}
    problems = [
        f"{path}:{_line(_key_node(root, k))}: {k}: unknown top-level key (only `rules`)" for k in sorted(unknown)
    ]
    seq = _child(root, "rules")
    rules: list[tuple[Rule, yaml.Node]] = []
    for i, item in enumerate(data["rules"]):
        item_node = _child(seq, i) if seq is not None else None
        rule, errs = _rule_problems(path, item_node or root, item, i)
        problems += errs
        if rule is not None:
            rules.append((rule, item_node or root))
    return rules, problems


def rule_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")) if path.is_dir() else [path]


def load_rules(path: Path = DEFAULT_RULES_DIR, *, only_enabled: bool = True) -> list[Rule]:
    """Every rule under ``path`` (a folder of ``*.yaml`` or one file); raises ``RulesError`` listing all problems."""
    if not path.exists():
        raise RulesError([f"{path}:1: path: does not exist"])
    rules: list[Rule] = []
    problems: list[str] = []
    where: dict[str, tuple[Path, yaml.Node]] = {}
    for file in rule_files(path):
        found, errs = load_rules_file(file)
        problems += errs
        for r, node in found:
            if r.name in where:
                first = where[r.name]
                problems.append(
                    f"{file}:{_locate(node, ['name'])}: {r.name}.name: duplicate rule name "
                    f"(first at {first[0]}:{_locate(first[1], ['name'])})"
                )
                continue
            where[r.name] = (file, node)
            rules.append(r)
    by_name = {r.name: r for r in rules}
    for r in rules:
        if r.derive is not None:
            src = by_name.get(r.derive.rule)
            file, node = where[r.name]
            line = _locate(node, ["derive", "rule"])
            if src is None:
                problems.append(f"{file}:{line}: {r.name}.derive.rule: no rule named {r.derive.rule!r}")
            elif src.derive is not None:
                problems.append(f"{file}:{line}: {r.name}.derive.rule: {src.name!r} is itself derived")
            elif r.derive.by not in src.tags:
                problems.append(f"{file}:{line}: {r.name}.derive.by: {src.name!r} has no tag {r.derive.by!r}")
    names = set(by_name)
    for r in rules:
        for i, s in enumerate(r.suppresses):
            if s.rule not in names:
                file, node = where[r.name]
                line = _locate(node, ["suppresses", i, "rule"])
                problems.append(f"{file}:{line}: {r.name}.suppresses.{i}.rule: no rule named {s.rule!r}")
    if problems:
        raise RulesError(problems)
    return [r for r in rules if r.enabled or not only_enabled]
