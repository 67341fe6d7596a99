"""The security checks: one module per check, each with a Linux and a Windows implementation.

A new check is one new module defining ``CHECK`` plus one line here.
"""

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
from agents.checks.base import Check, CheckResult, Context, Outcome

ALL_CHECKS: tuple[Check, ...] = (
    firewall.CHECK,
    antimalware.CHECK,
    updates.CHECK,
    password_policy.CHECK,
    accounts.CHECK,
    listening_services.CHECK,
    usb_storage.CHECK,
    audit_logging.CHECK,
    clock_sync.CHECK,
    screen_lock.CHECK,
)

__all__ = ["ALL_CHECKS", "Check", "CheckResult", "Context", "Outcome"]
