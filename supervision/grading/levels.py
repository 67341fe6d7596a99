"""GB/T 22240 (定级): the security protection level from the object harmed and the degree of harm.

The matrix of GB/T 22240-2020 table 2:

| 受侵害的客体 | 一般损害 | 严重损害 | 特别严重损害 |
| --- | --- | --- | --- |
| 公民、法人和其他组织的合法权益 | 第一级 | 第二级 | 第二级 |
| 社会秩序、公共利益 | 第二级 | 第三级 | 第四级 |
| 国家安全 | 第三级 | 第四级 | 第五级 |
"""

from __future__ import annotations

from inventory.models import HarmDegree, HarmObject, MlpsDeclaration

LEVEL_MATRIX: dict[HarmObject, dict[HarmDegree, int]] = {
    HarmObject.CITIZENS: {HarmDegree.GENERAL: 1, HarmDegree.SERIOUS: 2, HarmDegree.ESPECIALLY_SERIOUS: 2},
    HarmObject.PUBLIC_ORDER: {HarmDegree.GENERAL: 2, HarmDegree.SERIOUS: 3, HarmDegree.ESPECIALLY_SERIOUS: 4},
    HarmObject.NATIONAL_SECURITY: {HarmDegree.GENERAL: 3, HarmDegree.SERIOUS: 4, HarmDegree.ESPECIALLY_SERIOUS: 5},
}

LEVEL_ZH = {1: "第一级", 2: "第二级", 3: "第三级", 4: "第四级", 5: "第五级"}


def level_of(declaration: MlpsDeclaration) -> int:
    return LEVEL_MATRIX[declaration.harm_object][declaration.harm_degree]
