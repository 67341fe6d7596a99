"""The models' own rules: opening hours, GB/T 2260 codes, secret references."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from inventory.models import Facility, OpeningSpan, Region, SecretRef, SnmpProfile, SshProfile, parse_day_spans


def _facility(hours: dict[str, object]) -> Facility:
    return Facility.model_validate(
        {"id": "f1", "name": "图书馆", "kind": "public_library", "county": "510121", "opening_hours": hours}
    )


class TestOpeningHours:
    def test_24_00_ends_a_day(self) -> None:
        [span] = parse_day_spans("00:00-24:00")
        assert (span.start_minute, span.end_minute, str(span)) == (0, 1440, "00:00-24:00")

    @pytest.mark.parametrize("text", ["09:00-24:30", "24:00-24:00", "09:60-10:00", "25:00-26:00"])
    def test_impossible_times(self, text: str) -> None:
        with pytest.raises(ValueError, match="impossible"):
            OpeningSpan.parse(text)

    def test_end_before_or_at_start(self) -> None:
        for text in ("17:00-09:00", "09:00-09:00"):
            with pytest.raises(ValueError, match="ends before it starts"):
                OpeningSpan.parse(text)

    def test_overlap_refused_but_touching_spans_allowed(self) -> None:
        with pytest.raises(ValueError, match="overlap"):
            parse_day_spans("09:00-12:00,11:59-17:00")
        assert [str(s) for s in parse_day_spans(["14:00-17:00", "09:00-14:00"])] == ["09:00-14:00", "14:00-17:00"]

    def test_closed_days(self) -> None:
        fac = _facility(
            {"mon": "closed", "tue": "", "wed": None, "thu": [], "fri": "9:00-17:00", "Saturday": "09:00-12:00"}
        )
        assert set(fac.opening_hours) == {"fri", "sat"}  # closed and missing weekdays are left out
        assert str(fac.opening_hours["fri"][0]) == "09:00-17:00"

    def test_weekday_given_twice(self) -> None:
        with pytest.raises(ValidationError, match="weekday given twice"):
            _facility({"mon": "09:00-12:00", "Monday": "14:00-17:00"})

    def test_chinese_weekday_names(self) -> None:
        assert set(_facility({"周一": "09:00-12:00", "星期日": "09:00-12:00"}).opening_hours) == {"mon", "sun"}

    def test_serialised_as_text_spans_and_read_back(self) -> None:
        fac = _facility({"tue": "09:00-12:00,14:00-17:30"})
        dumped = fac.model_dump(mode="json")
        assert dumped["opening_hours"] == {"tue": ["09:00-12:00", "14:00-17:30"]}
        assert Facility.model_validate(dumped) == fac


class TestRegionCodes:
    def test_chain_province_city_county(self) -> None:
        assert Region(code="51", name="四川省").level == "province"
        assert Region(code="5101", name="成都市", parent="51").level == "city"
        assert Region(code="510121", name="金堂县", parent="5101").level == "county"

    @pytest.mark.parametrize(("code", "parent"), [("510121", "5102"), ("510121", "51"), ("5101", "52"), ("51", "5")])
    def test_parent_must_contain_the_code(self, code: str, parent: str) -> None:
        with pytest.raises(ValidationError, match="parent"):
            Region(code=code, name="x", parent=parent)

    @pytest.mark.parametrize("code", ["510100", "5100", "00", "510", "5101211", "51a1"])
    def test_bad_codes(self, code: str) -> None:
        with pytest.raises(ValidationError, match="code"):
            Region(code=code, name="x")

    @pytest.mark.parametrize("county", ["510100", "5101", "51012a"])
    def test_facility_needs_a_county_code(self, county: str) -> None:
        with pytest.raises(ValidationError, match="county"):
            Facility.model_validate({"id": "f", "name": "x", "kind": "public_library", "county": county})


class TestSecretRef:
    def test_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PDCS_TEST_SECRET", "v2c-community-31337")
        secret = SecretRef(env="PDCS_TEST_SECRET").resolve()
        assert secret.get_secret_value() == "v2c-community-31337"
        assert "v2c-community-31337" not in repr(secret) and "v2c-community-31337" not in str(secret)

    def test_missing_environment_variable_names_the_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("PDCS_TEST_UNSET", raising=False)
        with pytest.raises(LookupError, match="PDCS_TEST_UNSET is not set"):
            SecretRef(env="PDCS_TEST_UNSET").resolve()

    def test_from_secrets_file_relative_to_base_dir(self, tmp_path: Path) -> None:
        (tmp_path / "secrets.yaml").write_text("jt-v3-auth: auth-key-0815\n", encoding="utf-8")
        ref = SecretRef(file="secrets.yaml", key="jt-v3-auth")
        assert ref.resolve(tmp_path).get_secret_value() == "auth-key-0815"
        assert ref.describe() == "file:secrets.yaml#jt-v3-auth"

    def test_secrets_file_errors_do_not_show_other_values(self, tmp_path: Path) -> None:
        (tmp_path / "secrets.yaml").write_text("other: value-not-to-leak\n", encoding="utf-8")
        with pytest.raises(LookupError) as err:
            SecretRef(file="secrets.yaml", key="missing").resolve(tmp_path)
        assert "value-not-to-leak" not in str(err.value)
        with pytest.raises(LookupError, match="cannot be read"):
            SecretRef(file="nope.yaml", key="k").resolve(tmp_path)

    @pytest.mark.parametrize("data", [{}, {"env": "A", "file": "f", "key": "k"}, {"file": "f"}])
    def test_exactly_one_source(self, data: dict[str, str]) -> None:
        with pytest.raises(ValidationError):
            SecretRef.model_validate(data)


class TestProfiles:
    def test_v3_auth_priv(self) -> None:
        p = SnmpProfile.model_validate(
            {
                "name": "v3",
                "version": "3",
                "user": "u",
                "auth_protocol": "SHA",
                "auth_key": {"env": "A"},
                "priv_protocol": "AES",
                "priv_key": {"env": "P"},
            }
        )
        assert p.security_level == "authPriv"

    def test_v2c_needs_a_community(self) -> None:
        with pytest.raises(ValidationError, match="community"):
            SnmpProfile(name="v2", version="2c")

    def test_ssh_needs_password_or_key(self) -> None:
        with pytest.raises(ValidationError, match="password"):
            SshProfile(name="s", username="u")
