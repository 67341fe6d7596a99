"""Every text of the inspectors' pages, in Chinese and English (``?lang=en``)."""

from __future__ import annotations

from pdcs.i18n import register

register(
    {
        "web.title": ("公共数字文化远程监管平台", "Public Digital Culture Supervision"),
        "web.signout": ("退出", "Sign out"),
        "web.switch_lang": ("English", "中文"),
        "web.role.ministry": ("部级", "ministry"),
        "web.role.province_inspector": ("省级检查员", "province inspector"),
        "web.role.county_staff": ("县级人员", "county staff"),
        "web.role.admin": ("管理员", "administrator"),
        "web.nation": ("全国", "Nation"),
        "web.pick": ("行政区划与统计时段", "Region and period"),
        "web.region": ("行政区划", "Region"),
        "web.start": ("开始日期", "From"),
        "web.end": ("结束日期", "To"),
        "web.show": ("查看", "Show"),
        "web.period_note": (
            "时段按北京时间计算，包含开始和结束两天；默认为本月截至目前。",
            "Days in Beijing time, both included; by default this month to date.",
        ),
        "web.level.province": ("省", "province"),
        "web.level.city": ("市", "city"),
        "web.level.county": ("县", "county"),
        "web.children.province": ("各省", "Provinces"),
        "web.children.city": ("各市", "Cities"),
        "web.children.county": ("各区县", "Counties"),
        "web.children.facility": ("各设施", "Facilities"),
        "web.col.name": ("名称", "Name"),
        "web.col.devices": ("设备数", "Devices"),
        "web.col.availability": ("开放时段可用率", "Availability (opening hours)"),
        "web.col.coverage": ("数据覆盖率", "Data coverage"),
        "web.col.outages": ("停服次数", "Outages"),
        "web.col.utilisation": ("出口带宽 P95 利用率（最高）", "Uplink p95 utilisation (highest)"),
        "web.col.compliance": ("安全检查通过率", "Security checks passed"),
        "web.col.sessions": ("服务人次", "Service sessions"),
        "web.col.share_in_use": ("终端使用率", "Terminals in use"),
        "web.col.active_share": ("有效使用占比", "Active share of service time"),
        "web.active_coverage": (
            "{covered} / {days} 个终端·日上报空闲时间",
            "{covered} of {days} terminal-days report idle time",
        ),
        "web.col.assessment": ("年度考核得分", "Assessment score"),
        "web.col.start": ("开始", "Start"),
        "web.col.end": ("结束", "End"),
        "web.col.in_service": ("开放时段内（分钟）", "In opening hours (min)"),
        "web.col.cause": ("原因", "Cause"),
        "web.col.facility": ("设施", "Facility"),
        "web.col.device": ("设备", "Device"),
        "web.col.kind": ("类型", "Kind"),
        "web.no_data": ("无数据", "no data"),
        "web.legend": (
            "颜色对照年度考核目标：可用率 ≥ 99% 为绿，90%–99% 为黄，低于 90% 为红；安全检查全部通过为绿；"
            "带宽利用率 ≥ 80% 为红；灰色表示无数据（无数据不计为停服）。",
            "Colours against the assessment targets: availability ≥ 99 % green, 90–99 % amber, below 90 % red; "
            "all security checks passed green; uplink utilisation ≥ 80 % red; grey is no data (never an outage).",
        ),
        "web.outages": ("停服记录", "Outages"),
        "web.no_data_list": ("无数据时段", "Periods without data"),
        "web.silent": ("本时段内无任何数据的设备", "Devices with no data in the period"),
        "web.none": ("无", "None"),
        "web.downloads": ("下载报告", "Download the report"),
        "web.trend": ("每日可用率", "Daily availability"),
        "web.devices": ("设备", "Devices"),
        "web.back": ("返回上级", "Up one level"),
        "web.year": ("{year} 年", "{year}"),
        "web.map": ("设施分布", "Facilities on the map"),
        "web.login.title": ("使用访问令牌登录", "Sign in with an access token"),
        "web.error.period": ("日期有误：{detail}", "bad dates: {detail}"),
        "web.error.facility": ("未找到设施 {id}", "facility {id} not found"),
    }
)
