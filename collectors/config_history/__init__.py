"""Configuration history: every running configuration fetched is a version in git.

As Oxidized does for network teams, each collector keeps one git repository
(``PDCS_CONFIG_HISTORY_DIR``, default ``var/config-history``) with one file
per device (``<device>.cfg``).  A configuration fetched by an SSH audit or by
``pdcs config fetch`` is masked (``mask.py``: passwords, secrets, keys and
communities — never in the repository, not even in old objects) and
committed only when it differs from the last version (``repo.py``).  A change
also becomes a ``config_change`` point (``points.py``), which the
``config_changed`` alert rule turns into an alert unless a maintenance
blackout covers the device.  ``pdcs config fetch|log|diff`` is ``cli.py``; the
API reads the same repository (``GET /devices/{id}/config/diff``).

Why keep it: GB/T 22239-2019 8.1.4.9 (数据备份恢复) asks that important data —
configuration data among it — be backed up; the history is that backup and
its evidence, and the diff shows who changed what and when for the audit items
(8.1.3.5 / 8.1.5.x).
"""
