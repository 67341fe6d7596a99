"""GB/T 22240 matrix, all nine cells, and the declaration's Chinese/English spellings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from inventory.models import MlpsDeclaration
from supervision.grading.levels import level_of

MATRIX = [
    ("公民法人合法权益", "一般损害", 1),
    ("公民法人合法权益", "严重损害", 2),
    ("公民法人合法权益", "特别严重损害", 2),
    ("社会秩序公共利益", "一般损害", 2),
    ("社会秩序公共利益", "严重损害", 3),
    ("社会秩序公共利益", "特别严重损害", 4),
    ("国家安全", "一般损害", 3),
    ("国家安全", "严重损害", 4),
    ("国家安全", "特别严重损害", 5),
]


@pytest.mark.parametrize(("obj", "degree", "level"), MATRIX)
def test_level_matrix(obj: str, degree: str, level: int) -> None:
    assert level_of(MlpsDeclaration.model_validate({"harm_object": obj, "harm_degree": degree})) == level


def test_english_keys_are_accepted() -> None:
    d = MlpsDeclaration.model_validate({"harm_object": "public_order", "harm_degree": "serious"})
    assert level_of(d) == 3


def test_unknown_terms_are_refused() -> None:
    with pytest.raises(ValidationError, match="harm_degree"):
        MlpsDeclaration.model_validate({"harm_object": "国家安全", "harm_degree": "很严重"})


@pytest.mark.parametrize(
    ("official", "short"),
    [("公民、法人和其他组织的合法权益", "公民法人合法权益"), ("社会秩序、公共利益", "社会秩序公共利益")],
)
def test_official_gbt22240_wording_is_accepted(official: str, short: str) -> None:
    # GB/T 22240-2020 §5.2 names the objects in these words; the short forms stay accepted.
    d = MlpsDeclaration.model_validate({"harm_object": official, "harm_degree": "严重损害"})
    assert d.harm_object.value == short
