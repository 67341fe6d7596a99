"""Linux checks: for real on this machine, and pass/fail on seeded filesystem roots."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest

from agents.checks import (
    ALL_CHECKS,
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
from agents.checks.base import Check, Context
from agents.checks.schedule import CheckScheduler
from tests.agents.conftest import NOW, ctx_for, seed

MLPS_ITEM = re.compile(r"^[78]\.1\.\d+\.\d+$")


def test_every_check_runs_for_real_on_this_host() -> None:
    results = CheckScheduler(ALL_CHECKS, Context(), platform="linux", level="3").run_once()
    assert [r.check for r in results] == [c.id for c in ALL_CHECKS]
    assert len({r.check for r in results}) == 10
    for r in results:
        assert r.status in ("pass", "fail", "unknown")
        assert r.detail and "\n" not in r.detail
        assert MLPS_ITEM.match(r.mlps_item) and r.mlps_item.startswith("8.") and r.mlps_level == "3"
        assert r.severity in ("low", "medium", "high", "critical")
        assert not r.detail.startswith("check error"), r


def test_mlps_level_2_items() -> None:
    results = CheckScheduler(ALL_CHECKS[:2], Context(), platform="linux", level="2").run_once()
    assert [r.mlps_item for r in results] == ["7.1.4.4", "7.1.4.5"]


def test_risky_listener_on_this_host_is_found(tmp_path: Path) -> None:
    # A real socket listening on all addresses on a VNC port, seen through the real /proc/net/tcp.
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        port = next(p for p in range(5900, 5910) if s.connect_ex(("127.0.0.1", p)) != 0)
        s.bind(("0.0.0.0", port))
        s.listen()
        out = listening_services.linux(Context())
    assert out.status == "fail"
    assert f"VNC on 0.0.0.0:{port}" in out.detail


def test_listeners_from_seeded_proc(tmp_path: Path) -> None:
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    tcp = header + (
        "   0: 00000000:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0\n"
        "   1: 0100007F:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0\n"
        "   2: 0100007F:0016 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0\n"
    )
    tcp6 = header + (
        "   0: 00000000000000000000000000000000:01BD 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 4 1 0\n"
    )
    ctx = ctx_for(seed(tmp_path, {"proc/net/tcp": tcp, "proc/net/tcp6": tcp6}))
    out = listening_services.linux(ctx)
    assert out.status == "fail"
    assert out.detail == "risky services listening: SMB on :::445; telnet on 0.0.0.0:23"
    seed(tmp_path, {"proc/net/tcp": header, "proc/net/tcp6": header})
    assert listening_services.linux(ctx).status == "pass"


def test_firewall_ufw_enabled_and_nft_ruleset(tmp_path: Path) -> None:
    assert firewall.linux(ctx_for(seed(tmp_path, {"etc/ufw/ufw.conf": "ENABLED=yes\nLOGLEVEL=low\n"}))).status == "pass"
    nft = (
        "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"
        "\t\tct state established,related accept\n\t\ttcp dport 9750 accept\n\t}\n}\n"
    )
    out = firewall.linux(ctx_for(tmp_path / "empty", {("nft",): (0, nft)}))
    assert out.status == "pass" and "policy drop" in out.detail
    out = firewall.linux(ctx_for(tmp_path / "empty", {("iptables",): (0, "-P INPUT ACCEPT\n")}))
    assert out.status == "fail" and "INPUT policy ACCEPT with no rules" in out.detail


def _cvd_header(when: str) -> str:
    return f"ClamAV-VDB:{when} +0000:27466:2071203:90:abcdef:sig:builder:1795400000".ljust(512)


def test_clamav_fresh_stale_and_missing(tmp_path: Path) -> None:
    root = seed(tmp_path, {"var/lib/clamav/daily.cvd": _cvd_header("23 Nov 2026 08-25"), "proc/412/comm": "clamd\n"})
    out = antimalware.linux(ctx_for(root))
    assert out.status == "pass" and "daily.cvd version 27466 is 1.6 days old" in out.detail
    seed(root, {"var/lib/clamav/daily.cvd": _cvd_header("01 Nov 2026 08-25")})
    out = antimalware.linux(ctx_for(root, signature_max_age_days=7))
    assert out.status == "fail" and "stale" in out.detail
    (root / "proc/412/comm").unlink()
    seed(root, {"var/lib/clamav/daily.cvd": _cvd_header("24 Nov 2026 08-25")})
    assert "neither clamd nor freshclam" in antimalware.linux(ctx_for(root)).detail
    assert antimalware.linux(ctx_for(tmp_path / "nothing")).status == "fail"


def test_updates_from_apt_history_and_upgradable(tmp_path: Path) -> None:
    history = (
        "\nStart-Date: 2026-11-20  03:10:01\nCommandline: apt-get -y upgrade\n"
        "Upgrade: libc6:amd64 (2.36-9+deb12u8, 2.36-9+deb12u9)\nEnd-Date: 2026-11-20  03:11:45\n"
    )
    upgradable = (
        "Listing...\n"
        "libssl3/stable-security 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]\n"
        "tzdata/stable-updates 2026a-0+deb12u1 all [upgradable from: 2025b-0+deb12u1]\n"
    )
    root = seed(tmp_path, {"var/log/apt/history.log": history})
    out = updates.linux(ctx_for(root, {("apt",): (0, upgradable)}))
    assert out.status == "fail" and "pending security updates: 1" in out.detail and "libssl3" in out.detail
    out = updates.linux(ctx_for(root, {("apt",): (0, "Listing...\n")}))
    assert out.status == "pass" and re.search(r"last package update [45] days ago", out.detail)
    out = updates.linux(ctx_for(root, {("apt",): (0, "Listing...\n")}, update_max_days=2))
    assert out.status == "fail"
    assert updates.linux(ctx_for(tmp_path / "none", {})).status == "unknown"


def test_password_policy_strong_and_default(tmp_path: Path) -> None:
    strong = seed(
        tmp_path / "strong",
        {
            "etc/login.defs": "PASS_MAX_DAYS\t90\nPASS_MIN_DAYS\t1\n",
            "etc/security/pwquality.conf": "minlen = 10\nminclass = 3\n",
            "etc/pam.d/common-password": "password requisite pam_pwquality.so retry=3\n"
            "password [success=1] pam_unix.so\n",
            "etc/pam.d/common-auth": "auth required pam_faillock.so preauth deny=5 unlock_time=900\n"
            "auth [success=1] pam_unix.so\n",
        },
    )
    out = password_policy.linux(ctx_for(strong))
    assert out.status == "pass", out.detail
    assert "minlen=10" in out.detail and "deny=5" in out.detail
    weak = seed(
        tmp_path / "weak",
        {
            "etc/login.defs": "PASS_MAX_DAYS\t99999\n",
            "etc/pam.d/common-password": "password [success=1] pam_unix.so obscure yescrypt\n",
        },
    )
    out = password_policy.linux(ctx_for(weak))
    assert out.status == "fail"
    assert "no pam_pwquality" in out.detail and "no pam_faillock" in out.detail and "PASS_MAX_DAYS=99999" in out.detail


def test_guest_accounts(tmp_path: Path) -> None:
    shadow = "root:$y$j9T$abc:20000:0:99999:7:::\nguest:$y$j9T$def:20000:0:99999:7:::\nkiosk:!:20000::::::\n"
    passwd = "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n"
    out = accounts.linux(ctx_for(seed(tmp_path, {"etc/shadow": shadow, "etc/passwd": passwd})))
    assert out.status == "fail"
    assert "guest-like account guest can log in" in out.detail and "toor has UID 0" in out.detail
    seed(tmp_path, {"etc/shadow": shadow.replace("guest:$y$", "guest:!$y$"), "etc/passwd": passwd.splitlines()[0]})
    assert accounts.linux(ctx_for(tmp_path)).status == "pass"
    seed(tmp_path, {"etc/shadow": "demo::20000::::::\n"})
    assert "demo has an empty password" in accounts.linux(ctx_for(tmp_path)).detail
    assert accounts.linux(ctx_for(tmp_path / "nothing")).status == "unknown"


def test_usb_storage(tmp_path: Path) -> None:
    root = seed(tmp_path, {"etc/modprobe.d/pdcs-usb.conf": "# kiosk hardening\ninstall usb-storage /bin/true\n"})
    out = usb_storage.linux(ctx_for(root))
    assert out.status == "pass" and "pdcs-usb.conf: install usb-storage /bin/true" in out.detail
    (root / "sys/module/usb_storage").mkdir(parents=True)
    assert "loaded despite" in usb_storage.linux(ctx_for(root)).detail
    assert usb_storage.linux(ctx_for(tmp_path / "none")).status == "fail"


def test_audit_logging(tmp_path: Path) -> None:
    root = seed(
        tmp_path, {"proc/77/comm": "auditd\n", "etc/audit/rules.d/mlps.rules": "-w /etc/passwd -p wa -k identity\n"}
    )
    out = audit_logging.linux(ctx_for(root, {("auditctl",): (0, "enabled 1\nfailure 1\npid 77\n")}))
    assert out.status == "pass" and "1 watch/syscall rules" in out.detail and "enabled=1" in out.detail
    out = audit_logging.linux(ctx_for(root, {("auditctl",): (0, "enabled 0\n")}))
    assert out.status == "fail"


def test_clock_sync_sources(tmp_path: Path) -> None:
    assert clock_sync.linux(ctx_for(tmp_path, {("timedatectl",): (0, "yes\n")})).status == "pass"
    assert clock_sync.linux(ctx_for(tmp_path, {("timedatectl",): (0, "no\n")})).status == "fail"
    chrony = "Reference ID    : C0A80101 (ntp.example)\nStratum         : 3\nLeap status     : Normal\n"
    out = clock_sync.linux(ctx_for(tmp_path, {("chronyc",): (0, chrony)}))
    assert out.status == "pass" and "Normal" in out.detail
    out = clock_sync.linux(ctx_for(tmp_path, {}))
    assert out.status == "unknown" and "timedatectl missing" in out.detail
    seed(tmp_path, {"run/systemd/timesync/synchronized": ""})
    assert clock_sync.linux(ctx_for(tmp_path, {})).status == "pass"


def test_screen_lock(tmp_path: Path) -> None:
    root = seed(tmp_path, {"etc/profile.d/tmout.sh": "readonly TMOUT=600\nexport TMOUT\n"})
    out = screen_lock.linux(ctx_for(root))
    assert out.status == "pass" and "TMOUT=600 in etc/profile.d/tmout.sh" in out.detail
    dconf = seed(
        tmp_path / "g",
        {
            "etc/dconf/db/local.d/00-lock": "[org/gnome/desktop/session]\nidle-delay=uint32 300\n"
            "[org/gnome/desktop/screensaver]\nlock-enabled=true\n"
        },
    )
    assert screen_lock.linux(ctx_for(dconf)).status == "pass"
    seed(tmp_path / "long", {"etc/profile": "TMOUT=3600\n"})
    assert screen_lock.linux(ctx_for(tmp_path / "long")).status == "fail"


def _explode(ctx: Context) -> object:
    raise RuntimeError("registry hive locked")


def test_a_broken_check_is_unknown_and_others_still_run() -> None:
    broken = Check("broken", "Broken", "坏", {"2": "7.1.4.9"}, "low", linux=_explode)  # type: ignore[arg-type]
    linux_only = Check("linux_only", "L", "L", {"2": "7.1.4.1"}, "low", linux=screen_lock.linux)
    sched = CheckScheduler([broken, linux_only], ctx_for(Path("/nonexistent")), platform="linux")
    results = {r.check: r for r in sched.run_once()}
    assert results["broken"].status == "unknown"
    assert results["broken"].detail == "check error: RuntimeError: registry hive locked"
    assert results["linux_only"].status == "fail"
    win = CheckScheduler([linux_only], ctx_for(Path("/nonexistent")), platform="windows").run_once()
    assert win[0].status == "unknown" and win[0].detail == "no windows implementation"


def _counting_check(calls: list[int]) -> Check:
    def counting(ctx: Context) -> object:
        calls.append(1)
        return screen_lock.linux(ctx)

    return Check("counting", "C", "C", {"2": "7.1.4.1"}, "low", linux=counting)  # type: ignore[arg-type]


def _wait_for(cond: object, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_scheduler_reruns_on_its_interval() -> None:
    calls: list[int] = []
    sched = CheckScheduler([_counting_check(calls)], ctx_for(Path("/nonexistent")), interval_s=0.05, platform="linux")
    sched.start()
    _wait_for(lambda: len(calls) >= 3)
    sched.stop()
    assert len(calls) >= 3


def test_reading_results_does_not_run_checks() -> None:
    calls: list[int] = []
    sched = CheckScheduler([_counting_check(calls)], ctx_for(Path("/nonexistent")), interval_s=3600, platform="linux")
    sched.start()
    _wait_for(lambda: sched.runs == 1)
    for _ in range(100):
        assert [r.check for r in sched.results()] == ["counting"]
    sched.stop()
    assert len(calls) == 1


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.id)
def test_identity(check: Check) -> None:
    assert check.linux is not None and check.windows is not None
    assert set(check.mlps) == {"2", "3"}
    assert check.mlps["2"].startswith("7.1.") and check.mlps["3"].startswith("8.1.")
    assert check.title_zh


def test_now_is_injected() -> None:
    assert ctx_for().now() == NOW


def test_faillock_conf_supplies_deny(tmp_path: Path) -> None:
    root = seed(
        tmp_path,
        {
            "etc/login.defs": "PASS_MAX_DAYS 60\n",
            "etc/pam.d/common-password": "password requisite pam_pwquality.so minlen=12 minclass=4\n",
            "etc/pam.d/common-auth": "auth required pam_faillock.so preauth\n",
            "etc/security/faillock.conf": "# managed by county IT\ndeny = 4\nunlock_time = 600\n",
        },
    )
    out = password_policy.linux(ctx_for(root))
    assert out.status == "pass" and "deny=4" in out.detail and "minlen=12 minclass=4" in out.detail
    (root / "etc/security/faillock.conf").unlink()
    assert "deny=3" in password_policy.linux(ctx_for(root)).detail  # pam_faillock's default
