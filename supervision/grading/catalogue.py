"""The requirement items graded, as data (``requirements.yaml``), with a checked loader."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from pdcs.yaml_lines import YamlDocument

REQUIREMENTS_FILE = Path(__file__).resolve().parent / "requirements.yaml"
_L3 = re.compile(r"^8\.1\.\d+\.\d+$")
_L2 = re.compile(r"^7\.1\.\d+\.\d+$")


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class RequirementItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str  # level-3 clause, the key checks carry in mlps_item
    level2: str | None  # the same requirement's level-2 clause; None: a level-3-only requirement
    category: Text
    title: Text
    weight: float = 1.0

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _L3.match(v):
            raise ValueError("must be a level-3 clause of GB/T 22239-2019 such as 8.1.4.1")
        return v

    @field_validator("level2")
    @classmethod
    def _l2(cls, v: str | None) -> str | None:
        if v is not None and not _L2.match(v):
            raise ValueError("must be a level-2 clause of GB/T 22239-2019 such as 7.1.4.1, or null")
        return v

    @field_validator("weight")
    @classmethod
    def _weight(cls, v: float) -> float:
        if not 0 < v <= 1:
            raise ValueError("must be in (0, 1]")
        return v

    def applies_to(self, level: int) -> bool:
        return level >= 3 or (level == 2 and self.level2 is not None)

    def clause(self, level: int) -> str:
        return self.level2 if level == 2 and self.level2 else self.id


class CatalogueError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("requirement catalogue is invalid:\n" + "\n".join(problems))
        self.problems = problems


class Catalogue:
    def __init__(self, items: list[RequirementItem]) -> None:
        self.items = items
        self._canonical = {i.id: i.id for i in items} | {i.level2: i.id for i in items if i.level2}

    def for_level(self, level: int) -> list[RequirementItem]:
        return [i for i in self.items if i.applies_to(level)]

    def canonical(self, clause: str) -> str | None:
        """The level-3 id of a clause written either way (8.1.4.9 or 7.1.4.8)."""
        return self._canonical.get(clause)


def parse_catalogue(text: str, name: str) -> Catalogue:
    try:
        doc = YamlDocument(text)
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogueError([f"{name}:{mark.line + 1 if mark else 1}: yaml: {exc}"]) from None
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("items"), list):
        raise CatalogueError([f"{name}:1: items: the file must hold a list under 'items:'"])
    items: list[RequirementItem] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc.data["items"]):
        try:
            item = RequirementItem.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                line = doc.line_of(("items", i, *err["loc"]))
                field = ".".join(str(p) for p in err["loc"]) or "item"
                problems.append(f"{name}:{line}: items[{i}].{field}: {err['msg'].removeprefix('Value error, ')}")
            continue
        if item.id in seen:
            problems.append(f"{name}:{doc.line_of(('items', i, 'id'))}: items[{i}].id: duplicate item {item.id}")
        seen.add(item.id)
        items.append(item)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(items)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return parse_catalogue(REQUIREMENTS_FILE.read_text(encoding="utf-8"), str(REQUIREMENTS_FILE))
