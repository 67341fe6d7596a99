"""Windows checks parse the real output formats of their commands (English and Chinese Windows)."""

from __future__ import annotations

from agents.checks import (
    accounts,
    antimalware,
    audit_logging,
    clock_sync,
    firewall,
    listening_services,
    password_policy,
    screen_lock,
    updates,
    usb_storage,
)
from agents.checks.base import decode_console
from tests.agents.conftest import WINDOWS, ctx_for

PS = ("powershell", "-NoProfile", "-NonInteractive", "-Command")


def test_firewall_english_all_on_and_chinese_public_off() -> None:
    out = firewall.windows(ctx_for(answers={("netsh",): (0, "netsh_allprofiles.en.txt")}))
    assert out.status == "pass"
    assert "Domain Profile=on" in out.detail and "Public Profile=on" in out.detail
    out = firewall.windows(ctx_for(answers={("netsh",): (0, "netsh_allprofiles.zh.txt")}))
    assert out.status == "fail"
    assert "公用配置文件=off" in out.detail and "域配置文件=on" in out.detail


def test_firewall_unreadable_output_is_unknown() -> None:
    out = firewall.windows(ctx_for(answers={("netsh",): (1, "The requested operation requires elevation.")}))
    assert out.status == "unknown" and "elevation" in out.detail


def test_net_accounts_english_fails_and_chinese_passes() -> None:
    en = password_policy.parse_net_accounts((WINDOWS / "net_accounts.en.txt").read_text(encoding="utf-8"))
    assert en == {
        "force_logoff": None,
        "min_age": 0,
        "max_age": 42,
        "min_length": 0,
        "history": None,
        "lockout_threshold": None,
        "lockout_duration": 30,
    }
    out = password_policy.windows(ctx_for(answers={("net", "accounts"): (0, "net_accounts.en.txt")}))
    assert out.status == "fail"
    assert "minimum length 0 < 8" in out.detail and "lockout threshold never" in out.detail
    out = password_policy.windows(ctx_for(answers={("net", "accounts"): (0, "net_accounts.zh.txt")}))
    assert out.status == "pass", out.detail
    assert "min_length=8" in out.detail and "lockout_threshold=5" in out.detail


def test_net_accounts_from_gbk_console_bytes() -> None:
    raw = (WINDOWS / "net_accounts.zh.txt").read_text(encoding="utf-8").encode("gbk")
    text = decode_console(raw)
    assert "密码长度最小值" in text
    assert password_policy.parse_net_accounts(text)["min_length"] == 8


def test_default_accounts_english_admin_enabled_chinese_ok() -> None:
    out = accounts.windows(
        ctx_for(
            answers={
                ("net", "user", "Guest"): (0, "net_user_guest.en.txt"),
                ("net", "user", "Administrator"): (0, "net_user_administrator.en.txt"),
            }
        )
    )
    assert out.status == "fail" and "Administrator is enabled" in out.detail and "Guest: disabled" in out.detail
    out = accounts.windows(
        ctx_for(
            answers={
                ("net", "user", "Guest"): (0, "net_user_guest.zh.txt"),
                ("net", "user", "Administrator"): (2, "net_user_administrator.zh.txt"),
            }
        )
    )
    assert out.status == "pass" and "Administrator: absent or renamed (rc=2)" in out.detail


def test_netstat_english_finds_smb_rdp_not_loopback_vnc() -> None:
    out = listening_services.windows(
        ctx_for(
            answers={
                ("netstat", "-ano", "-p", "TCPv6"): (0, "netstat_ano6.en.txt"),
                ("netstat", "-ano", "-p", "TCP"): (0, "netstat_ano.en.txt"),
            }
        )
    )
    assert out.status == "fail"
    for part in ("SMB on 0.0.0.0:445", "RDP on 0.0.0.0:3389", "NetBIOS/SMB on 10.51.121.41:139", "SMB on :::445"):
        assert part in out.detail
    assert "5900" not in out.detail and "5901" not in out.detail  # loopback only


def test_netstat_chinese_clean() -> None:
    out = listening_services.windows(
        ctx_for(
            answers={
                ("netstat", "-ano", "-p", "TCPv6"): (0, ""),
                ("netstat", "-ano", "-p", "TCP"): (0, "netstat_ano.zh.txt"),
            }
        )
    )
    assert out.status == "pass" and "4 listening TCP sockets" in out.detail


def test_usbstor() -> None:
    assert usb_storage.windows(ctx_for(answers={("reg",): (0, "reg_usbstor_disabled.txt")})).status == "pass"
    out = usb_storage.windows(ctx_for(answers={("reg",): (0, "reg_usbstor_enabled.txt")}))
    assert out.status == "fail" and "Start=3" in out.detail
    out = usb_storage.windows(ctx_for(answers={("reg",): (1, "reg_not_found.zh.txt")}))
    assert out.status == "unknown" and "找不到" in out.detail


def test_w32tm_english_synced_chinese_cmos_and_stopped() -> None:
    out = clock_sync.windows(ctx_for(answers={("w32tm",): (0, "w32tm_status.en.txt")}))
    assert out.status == "pass" and "stratum 4" in out.detail and "time.windows.com" in out.detail
    out = clock_sync.windows(ctx_for(answers={("w32tm",): (0, "w32tm_status.zh.txt")}))
    assert out.status == "fail" and "Local CMOS Clock" in out.detail
    out = clock_sync.windows(ctx_for(answers={("w32tm",): (2147943462, "w32tm_stopped.zh.txt")}))
    assert out.status == "fail" and "0x80070426" in out.detail


def test_auditpol_csv_by_guid() -> None:
    out = audit_logging.windows(ctx_for(answers={("auditpol",): (0, "auditpol_r.en.txt")}))
    assert out.status == "pass" and "11 of 15 subcategories audited" in out.detail
    out = audit_logging.windows(ctx_for(answers={("auditpol",): (0, "auditpol_r.zh.txt")}))
    assert out.status == "fail"
    assert "User Account Management" in out.detail and "Audit Policy Change" in out.detail
    assert "Logon," not in out.detail.split(";")[0]


def test_defender_fresh_and_stale() -> None:
    out = antimalware.windows(ctx_for(answers={PS: (0, "defender_status.json")}))
    assert out.status == "pass" and "1.7 days old" in out.detail and "1.421.1234.0" in out.detail
    out = antimalware.windows(ctx_for(answers={PS: (0, "defender_stale.json")}))
    assert out.status == "fail" and "RealTimeProtectionEnabled=False" in out.detail
    out = antimalware.windows(ctx_for(answers={PS: (1, "Get-MpComputerStatus : 0x800106ba")}))
    assert out.status == "unknown" and "0x800106ba" in out.detail


def test_hotfix_newest_and_pending_count() -> None:
    answers = {(*PS, updates.HOTFIX_PS): (0, "hotfix.json"), (*PS, updates.PENDING_PS): (0, "0\r\n")}
    out = updates.windows(ctx_for(answers=answers))
    assert out.status == "pass", out.detail
    assert "KB5046613 installed 7 days ago" in out.detail and "missing updates: 0" in out.detail
    answers[(*PS, updates.PENDING_PS)] = (0, "3\r\n")
    assert updates.windows(ctx_for(answers=answers)).status == "fail"


def test_wmic_qfe_fallback() -> None:
    answers = {(*PS, updates.HOTFIX_PS): (1, "not json"), ("wmic",): (0, "wmic_qfe.csv")}
    out = updates.windows(ctx_for(answers=answers, windows_update_search=False))
    assert out.status == "fail" and "KB5044033" in out.detail and "missing updates: unknown" in out.detail


def test_screen_lock_machine_limit_and_insecure_saver() -> None:
    answers = {
        ("reg", "query", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System"): (
            0,
            "reg_policies_system.txt",
        )
    }
    out = screen_lock.windows(ctx_for(answers=answers))
    assert out.status == "pass" and "InactivityTimeoutSecs=600" in out.detail
    answers = {
        ("reg", "query", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System"): (
            0,
            "reg_policies_system_unset.txt",
        ),
        ("reg", "query", r"HKCU\Software\Policies\Microsoft\Windows\Control Panel\Desktop"): (
            1,
            "reg_not_found.zh.txt",
        ),
        ("reg", "query", r"HKCU\Control Panel\Desktop"): (0, "reg_desktop.txt"),
    }
    out = screen_lock.windows(ctx_for(answers=answers))
    assert out.status == "fail" and "ScreenSaverIsSecure=0" in out.detail


def test_third_party_antivirus_through_security_center() -> None:
    defender, center = (*PS, antimalware.DEFENDER_PS), (*PS, antimalware.SECURITY_CENTER_PS)
    out = antimalware.windows(
        ctx_for(answers={defender: (0, "defender_stale.json"), center: (0, "securitycenter_huorong.json")})
    )
    assert out.status == "pass" and out.detail.startswith("火绒安全软件 on with up-to-date signatures")
    assert "Defender not fully on" in out.detail
    out = antimalware.windows(
        ctx_for(answers={defender: (0, "defender_stale.json"), center: (0, "securitycenter_stale.json")})
    )
    assert out.status == "fail"
    assert antimalware.security_center_products((WINDOWS / "securitycenter_stale.json").read_text("utf-8")) == [
        ("360杀毒", True, False)
    ]
    # Defender's service stopped entirely: the third-party product still counts.
    out = antimalware.windows(ctx_for(answers={defender: (1, ""), center: (0, "securitycenter_huorong.json")}))
    assert out.status == "pass" and "Get-MpComputerStatus failed" in out.detail
