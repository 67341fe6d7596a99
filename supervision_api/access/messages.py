"""Messages of the access layer (Chinese first, English on request)."""

from __future__ import annotations

from pdcs.i18n import register

register(
    {
        "error.auth.missing": (
            "需要身份认证：请在请求头中提供 Authorization: Bearer <令牌>",
            "authentication required: send Authorization: Bearer <token>",
        ),
        "error.auth.bad_token": (
            "令牌无效、已吊销或用户已停用",
            "the token is invalid or revoked, or its user is disabled",
        ),
        "error.forbidden.region": (
            "无权访问行政区划 {code}：超出您的权限范围（{scope}）",
            "region {code} is outside your scope ({scope})",
        ),
        "error.forbidden.device": (
            "无权访问设备 {id}：超出您的权限范围（{scope}）",
            "device {id} is outside your scope ({scope})",
        ),
        "error.forbidden.facility": (
            "无权访问设施 {id}：超出您的权限范围（{scope}）",
            "facility {id} is outside your scope ({scope})",
        ),
        "error.forbidden.admin": ("仅管理员可执行此操作", "only administrators may do this"),
        "error.forbidden.role": ("您的角色（{role}）无权执行此操作", "your role ({role}) may not do this"),
        "error.inventory.invalid": ("清单数据有误：{problems}", "the inventory has problems: {problems}"),
        "error.inventory.problems": ("清单有 {n} 处问题", "the inventory has {n} problem(s)"),
        "error.forbidden.import": (
            "导入内容超出您的权限范围（{scope}）",
            "the upload touches objects outside your scope ({scope})",
        ),
        "error.inventory.too_large": ("上传文件过大（上限 {limit_mb} MB）", "upload too large (limit {limit_mb} MB)"),
        "error.inventory.exists": ("设备 {id} 已存在", "device {id} exists"),
        "error.inventory.unknown_facility": ("未找到设施 {id}", "facility {id} not found"),
        "scope.nation": ("全国", "the nation"),
    }
)
