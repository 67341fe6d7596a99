"""Links between boards name existing boards and variables, and land on boards that have data."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dashboards.build import build_all
from dashboards.templating import TimeRange
from dashboards.verify import has_values, resolve_variables, run_targets
from tests.dashboards.conftest import Week

BOARDS = {b.uid: b.to_dict() for b in build_all()}
BUILT = {b.uid: b for b in build_all()}


def links() -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(source uid, panel, link) for every data link on every panel."""
    out = []
    for uid, board in BOARDS.items():
        for panel in board["panels"]:
            fc = panel.get("fieldConfig", {})
            found = list(fc.get("defaults", {}).get("links", []))
            for o in fc.get("overrides", []):
                for prop in o["properties"]:
                    if prop["id"] == "links":
                        found += prop["value"]
            out += [(uid, panel, link) for link in found]
    return out


def variables(uid: str) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in BOARDS[uid]["templating"]["list"]}


def test_links_reach_every_level_from_the_nation_down() -> None:
    targets = {(src, urlsplit(link["url"]).path.split("/")[2]) for src, _, link in links()}
    assert {
        ("pdcs-national", "pdcs-province"),
        ("pdcs-national", "pdcs-security"),
        ("pdcs-province", "pdcs-county"),
        ("pdcs-county", "pdcs-facility"),
        ("pdcs-facility", "pdcs-device"),
        ("pdcs-security", "pdcs-county"),
    } <= targets


def test_every_link_sets_every_variable_of_its_target_from_something_real() -> None:
    for src, panel, link in links():
        url = urlsplit(link["url"])
        target = url.path.split("/")[2]
        assert target in BOARDS, link
        assert url.query.endswith("${__url_time_range}"), "links keep the time range"
        params = dict(parse_qsl(url.query.removesuffix("&${__url_time_range}")))
        wanted = variables(target)
        assert {k.removeprefix("var-") for k in params} == set(wanted), (src, panel["title"], link["url"])
        group_by = {t for target_ in BUILT[src].targets() for t in target_[1].group_by}
        for key, value in params.items():
            var = key.removeprefix("var-")
            if value == "$__all":
                assert wanted[var].get("includeAll"), f"{target}.{var} offers no All"
            elif m := re.fullmatch(r"\$\{__field\.labels\.(\w+)\}", value):
                assert m.group(1) in group_by
            elif value != "${__value.raw}":
                m = re.fullmatch(r"\$\{(\w+)\}", value)
                assert m and m.group(1) in variables(src), (src, value)


def test_following_a_link_lands_on_a_board_with_data(week: Week) -> None:
    """Province table → county 510121 with city "All": the county board's panels have data."""
    tr = TimeRange("now-7d", "now", week.end_s * 1000)
    chosen = {"province": "51", "city": "$__all", "county": "510121", "facility": "$__all"}
    variables_, _ = resolve_variables(BUILT["pdcs-county"], week.db, tr, chosen=chosen)
    assert variables_["city"].all and variables_["county"].current() == ["510121"]
    results = run_targets(BUILT["pdcs-county"], week.db, variables_, tr)
    assert all(r.problems == [] and has_values(r) for r in results)
