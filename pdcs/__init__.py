"""pdcs — Public Digital Culture Supervision.

The core package holds what every part shares and imports no vendor code:
the point model (:mod:`pdcs.points`), InfluxDB storage (:mod:`pdcs.storage`),
settings (:mod:`pdcs.settings`), the command line (:mod:`pdcs.cli`) and the
local development stack (:mod:`devstack`).
"""

__version__ = "0.1.0"
