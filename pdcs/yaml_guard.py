"""YAML from anyone, with limits: size, aliases, what aliases expand to, nesting depth.

PyYAML's safe loader refuses arbitrary objects but not the "billion laughs": a few
hundred bytes of nested anchors and aliases (``&a [*b, *b, …]``) compose into a
small graph that every consumer walking it as a tree — our line-keeping
constructors, pydantic, JSON — expands exponentially (630 bytes took the API past
10 GB). Every YAML loader in pdcs composes through :func:`compose`, which measures
the composed graph *before* anything walks it and refuses, as a
``yaml.MarkedYAMLError`` at the offending line, a document that

- is larger than ``max_bytes``;
- uses more than ``max_aliases`` aliases;
- whose aliases would add more than ``max_alias_nodes`` nodes when expanded;
- nests deeper than ``max_depth``, or refers to itself (a recursive alias).

The measurement is iterative and memoised per node, so it costs one pass over the
composed nodes whatever the expansion would be. Only the standard library and
PyYAML are imported: the agent ships this module in its wheel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

_DEFAULT_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class YamlLimits:
    """Limits of one YAML document; the defaults come from ``PDCS_YAML_MAX_*``."""

    max_bytes: int = 64 * 1024 * 1024  # a 50,000-device inventory is about 15 MB
    max_aliases: int = 10_000
    max_alias_nodes: int = 100_000
    max_depth: int = 64

    @classmethod
    def from_env(cls) -> YamlLimits:
        d = cls()
        return cls(
            max_bytes=_env_int("PDCS_YAML_MAX_BYTES", d.max_bytes),
            max_aliases=_env_int("PDCS_YAML_MAX_ALIASES", d.max_aliases),
            max_alias_nodes=_env_int("PDCS_YAML_MAX_ALIAS_NODES", d.max_alias_nodes),
            max_depth=_env_int("PDCS_YAML_MAX_DEPTH", d.max_depth),
        )


class YamlLimitError(yaml.MarkedYAMLError):
    """A document refused by a limit; ``problem`` is the English message, ``code`` a stable key and
    ``params`` its values (``limit``, the ``variable`` that sets it) for the message catalogue."""

    def __init__(self, code: str, problem: str, node: Node | None = None, **params: object) -> None:
        super().__init__(problem=problem, problem_mark=node.start_mark if node is not None else None)
        self.code = code
        self.params = params


def check_size(text: str | bytes, limits: YamlLimits | None = None) -> None:
    lim = limits or YamlLimits.from_env()
    if len(text) > lim.max_bytes:
        raise YamlLimitError(
            "yaml.too_large",
            f"document larger than {lim.max_bytes} bytes (limit PDCS_YAML_MAX_BYTES)",
            limit=lim.max_bytes,
            variable="PDCS_YAML_MAX_BYTES",
        )


def check_graph(root: Node | None, limits: YamlLimits | None = None) -> None:
    """Refuse a composed document whose aliases, expansion or depth exceed the limits."""
    if root is None:
        return
    lim = limits or YamlLimits.from_env()
    size: dict[int, int] = {}  # node id -> nodes in its expanded subtree (set when done)
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()  # started, not done: exactly the ancestors of the node at hand
    refs = 0  # child references, counting repeats (each repeat is an alias)
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if depth[key] > lim.max_depth:  # an alias can carry a deep subtree deeper
                raise YamlLimitError(
                    "yaml.too_deep",
                    f"nested deeper than {lim.max_depth} levels (limit PDCS_YAML_MAX_DEPTH)",
                    node,
                    limit=lim.max_depth,
                    variable="PDCS_YAML_MAX_DEPTH",
                )
            continue
        if key in size:
            continue  # an alias of a node already measured
        if key in open_nodes:
            raise YamlLimitError("yaml.recursive", "an alias refers to the node that contains it", node)
        open_nodes.add(key)
        if len(open_nodes) > lim.max_depth:
            raise YamlLimitError(
                "yaml.too_deep",
                f"nested deeper than {lim.max_depth} levels (limit PDCS_YAML_MAX_DEPTH)",
                node,
                limit=lim.max_depth,
                variable="PDCS_YAML_MAX_DEPTH",
            )
        stack.append((node, True))
        kids = _children(node)
        refs += len(kids)
        stack.extend((k, False) for k in reversed(kids))
    aliases = refs - (len(size) - 1)
    if aliases > lim.max_aliases:
        raise YamlLimitError(
            "yaml.too_many_aliases",
            f"more than {lim.max_aliases} aliases (limit PDCS_YAML_MAX_ALIASES)",
            root,
            limit=lim.max_aliases,
            variable="PDCS_YAML_MAX_ALIASES",
        )
    if size[id(root)] - len(size) > lim.max_alias_nodes:
        raise YamlLimitError(
            "yaml.alias_bomb",
            f"aliases would expand to more than {lim.max_alias_nodes} extra nodes "
            "(an alias bomb; limit PDCS_YAML_MAX_ALIAS_NODES)",
            root,
            limit=lim.max_alias_nodes,
            variable="PDCS_YAML_MAX_ALIAS_NODES",
        )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def compose(
    text: str, loader: type[yaml.SafeLoader] = _DEFAULT_LOADER, limits: YamlLimits | None = None
) -> Node | None:
    """``yaml.compose`` with the limits checked; raises ``yaml.YAMLError`` (``YamlLimitError`` for a limit)."""
    lim = limits or YamlLimits.from_env()
    check_size(text, lim)
    try:
        root = yaml.compose(text, Loader=loader)
    except RecursionError:
        raise YamlLimitError(
            "yaml.too_deep",
            f"nested deeper than {lim.max_depth} levels (limit PDCS_YAML_MAX_DEPTH)",
            limit=lim.max_depth,
            variable="PDCS_YAML_MAX_DEPTH",
        ) from None
    check_graph(root, lim)
    return root


def construct(node: Node | None) -> Any:
    """The Python value of a composed (and checked) document, by PyYAML's safe constructor."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def safe_load(text: str, limits: YamlLimits | None = None) -> Any:
    """``yaml.safe_load`` with the limits of :func:`compose`."""
    return construct(compose(text, limits=limits))
