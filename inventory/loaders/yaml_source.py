"""Read one inventory YAML file into records, remembering the line of every field.

The file is *composed* (libyaml when available) rather than loaded, so each
list item and each key keeps its source mark; values are then constructed
with PyYAML's safe constructor.  A syntax error becomes one problem at its
line; everything else in a well-formed file is reported item by item.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from inventory.loaders.records import SECTIONS, Path_, Record
from inventory.problems import Problem
from pdcs import yaml_guard

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loading, with tag resolution short-cut for the plain strings that fill an inventory.

    PyYAML tries its implicit-type regexes on every plain scalar; only scalars
    starting with a character some resolver is registered for can be anything
    but a string, so the others are settled at once (a large inventory loads
    several times faster).
    """

    _first = frozenset(k for k in _BaseLoader.yaml_implicit_resolvers if k)

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0] or (value and value[0] not in self._first):
                return _STR
            return str(super().resolve(kind, value, implicit))
        return _MAP if kind is MappingNode else _SEQ


def _construct(node: Node, constructor: SafeConstructor) -> object:
    """The Python value of ``node``: plain containers and strings directly, anything else by PyYAML."""
    cls = type(node)
    if cls is ScalarNode and node.tag == _STR:
        return node.value
    if cls is SequenceNode and node.tag == _SEQ:
        return [_construct(n, constructor) for n in node.value]
    if cls is MappingNode and node.tag == _MAP:
        out: dict[object, object] = {}
        for k, v in node.value:  # inlined for the usual string keys and values: this is the hot loop
            if type(k) is not ScalarNode or k.tag == _MERGE:
                return constructor.construct_object(node, deep=True)
            key = k.value if k.tag == _STR else _construct(k, constructor)
            out[key] = v.value if type(v) is ScalarNode and v.tag == _STR else _construct(v, constructor)
        return out
    return constructor.construct_object(node, deep=True)


class NodeLocator:
    """Finds the line of a field path inside one composed YAML item."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node

    def line_of(self, path: Path_) -> int:
        node, line = self.node, self.node.start_mark.line + 1
        for part in path:
            nxt: Node | None = None
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if isinstance(k, ScalarNode) and k.value == str(part):
                        line, nxt = k.start_mark.line + 1, v
                        break
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                nxt = node.value[part]
                line = nxt.start_mark.line + 1
            if nxt is None:
                break
            node = nxt
        return line

    def column_of(self, path: Path_) -> str:
        return ""  # a YAML problem is found by its line


def _repeated_keys(item: MappingNode, display: str, label: str) -> list[Problem]:
    first: dict[str, int] = {}
    out = []
    for k, _ in item.value:
        name, line = str(k.value), k.start_mark.line + 1
        if name in first:
            out.append(Problem.of(display, line, f"{label}.{name}", "inventory.field_twice", first=first[name]))
        first.setdefault(name, line)
    return out


def read_bytes(path: Path, display: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or a problem saying why not (also: larger than the limit)."""
    limit = yaml_guard.YamlLimits.from_env().max_bytes
    try:
        if path.stat().st_size > limit:
            variable = "PDCS_YAML_MAX_BYTES"
            return None, [Problem.of(display, 1, "file", "inventory.file_too_large", limit=limit, variable=variable)]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [Problem.of(display, 1, "file", "inventory.unreadable", error=exc.strerror)]


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """The file's text (UTF-8, with or without BOM), or a problem saying why not (also: larger than the limit)."""
    data, problems = read_bytes(path, display)
    if data is None:
        return None, problems
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem.of(display, line, "encoding", "inventory.not_utf8")]


def read_yaml(path: Path, display: str) -> tuple[list[Record], list[Problem]]:
    text, problems = read_text(path, display)
    if text is None:
        return [], problems
    try:
        root = yaml_guard.compose(text, _Loader)
    except yaml_guard.YamlLimitError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return [], [Problem.of(display, line, "yaml", exc.code, **exc.params)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(filter(None, [exc.context, exc.problem]))
        return [], [Problem.of(display, line, "yaml", "inventory.not_yaml", error=what)]
    except yaml.YAMLError as exc:
        return [], [Problem.of(display, 1, "yaml", "inventory.not_yaml", error=str(exc))]
    if root is None or (isinstance(root, ScalarNode) and root.tag.endswith(":null")):
        return [], []
    allowed = ", ".join(SECTIONS)
    if not isinstance(root, MappingNode):
        return [], [Problem.of(display, root.start_mark.line + 1, "yaml", "inventory.not_sections", allowed=allowed)]

    records: list[Record] = []
    constructor = SafeConstructor()
    seen_sections: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        section = key_node.value if isinstance(key_node, ScalarNode) else None
        if section not in SECTIONS:
            problems.append(Problem.of(display, line, str(section), "inventory.unknown_section", allowed=allowed))
            continue
        if section in seen_sections:
            first = seen_sections[section]
            problems.append(Problem.of(display, line, section, "inventory.section_twice", first=first))
            continue
        seen_sections[section] = line
        if isinstance(value_node, ScalarNode) and value_node.tag.endswith(":null"):
            continue  # an empty section
        if not isinstance(value_node, SequenceNode):
            problems.append(Problem.of(display, line, section, "inventory.not_list"))
            continue
        for index, item in enumerate(value_node.value):
            item_line = item.start_mark.line + 1
            if not isinstance(item, MappingNode):
                problems.append(Problem.of(display, item_line, f"{section}[{index}]", "inventory.not_object"))
                continue
            try:
                data = _construct(item, constructor)
            except (yaml.YAMLError, TypeError) as exc:  # a bad tag, an unhashable key
                problems.append(
                    Problem.of(display, item_line, f"{section}[{index}]", "inventory.value_unreadable", error=str(exc))
                )
                continue
            assert isinstance(data, dict)
            if len(data) != len(item.value):  # PyYAML keeps the last of repeated keys: say so
                problems += _repeated_keys(item, display, f"{section}[{index}]")
            records.append(Record(section, data, display, item_line, index, NodeLocator(item)))
    return records, problems
