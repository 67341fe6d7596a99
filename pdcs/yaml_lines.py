"""YAML with line numbers: load a document and remember where each value sits.

The audit rules and grading requirement loaders report problems as ``file:line: field:
message``; pydantic tells us the *path* of a bad field, this tells us its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pdcs import yaml_guard

Path_ = tuple[str | int, ...]


class YamlFileError(ValueError):
    """A YAML file that cannot be read or parsed; ``problem`` is one ``file:line: field: message`` line."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def read_document(path: Path) -> YamlDocument:
    """Read and parse ``path`` with lines; a file that cannot be read or parsed is a :class:`YamlFileError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlFileError(f"{path}:1: file: cannot read: {exc.strerror}") from None
    try:
        return YamlDocument(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlFileError(f"{path}:{mark.line + 1 if mark else 1}: yaml: {exc}") from None


class YamlDocument:
    """A parsed YAML document plus the 1-based line of every node by path."""

    def __init__(self, text: str) -> None:
        node = yaml_guard.compose(text, yaml.SafeLoader)
        self.lines: dict[Path_, int] = {}
        self.data: Any = self._build(node, ()) if node is not None else None

    def _build(self, node: yaml.Node, path: Path_) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = _scalar(key_node)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self._build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, (*path, i)) for i, item in enumerate(node.value)]
        return _scalar(node)

    def line_of(self, path: Path_) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
