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
        "web.not_known": ("本层级不可得", "not known at this level"),
        "web.nat.title": ("数据来源", "Where the figures come from"),
        "web.nat.source": (
            "全国／省级页面的可用率、出口带宽与年度考核来自各省上报全国汇总库的汇总，不读取原始采集数据："
            "可用率取自{availability}；出口带宽取自{bandwidth}。安全检查通过率与服务效能读取各省数据库。",
            "The availability, uplink bandwidth and annual assessment of the national and provincial pages come"
            " from the summaries the provinces ship to the national store, not from raw polls: availability from"
            " {availability}; bandwidth from {bandwidth}. Security checks and service use read the provinces'"
            " stores.",
        ),
        "web.nat.source_one": (
            "全国／省级页面的可用率、出口带宽与年度考核来自各省上报全国汇总库的汇总，不读取原始采集数据："
            "可用率与出口带宽均取自{basis}。安全检查通过率与服务效能读取各省数据库。",
            "The availability, uplink bandwidth and annual assessment of the national and provincial pages come"
            " from the summaries the provinces ship to the national store, not from raw polls: availability and"
            " bandwidth from {basis}. Security checks and service use read the provinces' stores.",
        ),
        "web.nat.outages_counted": (
            "停服次数为本区划合计（由各省的设施日汇总计得）；按下级区划的停服次数与停服、无数据时段明细在本层级不可得"
            "（显示为“—”，不计为零），请下钻至各县（区）页面查看。",
            "The outage count is the region's total (counted by the provinces' facility daily roll-ups); outages by"
            " sub-region and the list of outages and no-data spans are not known at this level (shown as —, not"
            " as zero): drill down to a county's page for them.",
        ),
        "web.nat.outages_unknown": (
            "摘要不含停服记录：停服次数在本层级不可得（显示为“—”或“本层级不可得”，不计为零），停服与无数据时段均不逐条列出，"
            "请下钻至各县（区）页面查看。",
            "The summaries carry no outages: their number is not known at this level (shown as — or “not known"
            " at this level”, never as zero), and neither outages nor no-data spans are listed: drill down to a"
            " county's page for them.",
        ),
        "web.nat.no_utilisation": (
            "本时段的带宽汇总不含逐设施的出口带宽利用率，利用率在本层级不可得"
            "（整日时段取各设施日汇总副本中的逐日 P95 利用率最高值）。",
            "This period's bandwidth summaries carry no facility's uplink utilisation: it is not known at this"
            " level (periods of whole days show the facilities' highest daily p95 from their daily roll-up copies).",
        ),
        "web.nat.late": (
            "{province}迟报：其数据止于最后上报时刻 {through}（北京时间），此后的时段未计入本页数据。",
            "{province} is late: its figures stop at its last shipped time {through} (Beijing time); later time"
            " is not counted on this page.",
        ),
        "web.login.title": ("使用访问令牌登录", "Sign in with an access token"),
        "web.error.period": ("日期有误：{detail}", "bad dates: {detail}"),
        "web.error.facility": ("未找到设施 {id}", "facility {id} not found"),
    }
)
