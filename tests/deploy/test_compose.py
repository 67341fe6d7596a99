"""docker-compose.yml validates, pins every image and health-checks every service.

No container engine runs here, so the file is checked without one: with the
Compose CLI's ``config`` (the ``docker compose`` plugin when present, else
Debian's ``docker-compose``, which scripts/setup.sh installs), and against the
Compose specification's JSON schema that Debian's docker-compose package ships.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from inventory.load import load_inventory

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
SCHEMA_PATHS = (Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json"),)


def compose_cli() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    found = shutil.which("docker-compose")
    assert found, "no Compose CLI: run scripts/setup.sh (installs Debian's docker-compose)"
    return [found]


def config(env_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *compose_cli(),
            "--project-directory",
            str(REPO),
            "-f",
            str(COMPOSE),
            "--env-file",
            str(env_file),
            "config",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )


def resolved() -> dict[str, Any]:
    done = config(ENV_EXAMPLE)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = yaml.safe_load(done.stdout)
    return data


def test_compose_cli_accepts_the_file() -> None:
    done = config(ENV_EXAMPLE, "-q")
    assert done.returncode == 0, done.stderr


def test_file_matches_the_compose_specification_schema() -> None:
    schema_path = next((p for p in SCHEMA_PATHS if p.exists()), None)
    assert schema_path, "compose_spec.json missing: run scripts/setup.sh (Debian docker-compose ships it)"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    raw = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    jsonschema.validate(raw, schema)
    jsonschema.validate(resolved(), schema)
    broken = {**raw, "services": {**raw["services"], "grafana": {**raw["services"]["grafana"], "restart": 3}}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_every_service_is_there_with_a_pinned_image_and_a_healthcheck() -> None:
    services = resolved()["services"]
    assert set(services) == {
        "influxdb", "grafana", "dashboards", "postgres", "alerta", "snmpsim", "api", "collector", "alerts",
        "influx-init", "federation",
    }  # fmt: skip
    for name, svc in services.items():
        image = svc.get("image", "")
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", image), f"{name}: image {image!r} has no tag"
        assert not image.endswith(":latest"), f"{name}: {image} is not pinned"
        test = svc.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: no healthcheck"
    assert services["influxdb"]["image"].startswith("influxdb:1.")
    assert services["alerta"]["image"].startswith("alerta/alerta-web:")
    assert services["api"]["command"][0] == "api" and services["alerts"]["command"][0] == "alerts"
    assert services["collector"]["command"][0] == "collect"


def test_grafana_gets_the_provisioning_and_the_dashboards() -> None:
    grafana = resolved()["services"]["grafana"]
    # Long syntax (docker compose) or short "source:target:mode" (docker-compose 1.x).
    volumes = [
        v if isinstance(v, dict) else dict(zip(("source", "target"), v.split(":")[:2], strict=True))
        for v in grafana["volumes"]
    ]
    sources = {v["target"]: v["source"] for v in volumes}
    assert Path(sources["/etc/grafana/provisioning"]) == REPO / "dashboards" / "provisioning"
    # the boards as the dashboards service built them, with the deployment inventory's names
    assert sources["/var/lib/grafana/pdcs-dashboards"].endswith("grafana-dashboards")
    builder = resolved()["services"]["dashboards"]
    assert builder["command"][:2] == ["grafana", "build"] and builder["restart"] == "no"
    assert grafana["depends_on"]["dashboards"]["condition"] == "service_completed_successfully"
    env = grafana["environment"]
    assert env["PDCS_DASHBOARDS_DIR"] == "/var/lib/grafana/pdcs-dashboards"
    assert env["PDCS_INFLUX_URL"] == "http://influxdb:8086"


def test_secrets_come_from_the_env_file(tmp_path: Path) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    declared = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines() if "=" in line}
    assert required and required <= declared
    for line in text.splitlines():
        if re.search(r"(PASSWORD|SECRET|_KEY)\w*:\s", line):
            assert "${" in line, f"secret not from .env: {line.strip()}"
    partial = tmp_path / "partial.env"
    partial.write_text("\n".join(x for x in ENV_EXAMPLE.read_text().splitlines() if "GRAFANA_ADMIN" not in x))
    missing = config(partial, "-q")
    assert missing.returncode != 0 and "GRAFANA_ADMIN_PASSWORD" in missing.stderr
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO)
    assert ignored.returncode == 0, ".env must be git-ignored"


def test_dockerfiles_pin_their_base_images() -> None:
    for dockerfile in (REPO / "deploy" / "Dockerfile", REPO / "deploy" / "snmpsim" / "Dockerfile"):
        bases = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(encoding="utf-8"), re.M)
        assert bases and all(":" in b and not b.endswith(":latest") for b in bases), dockerfile


def test_the_simulated_device_set_is_a_valid_inventory() -> None:
    inv = load_inventory(REPO / "deploy" / "inventory")
    assert len(inv.devices) == 5
    assert all(d.address == "snmpsim:1161" for d in inv.devices.values())
    community = inv.snmp_profiles["sim-cisco-c3560"].community
    assert community and community.resolve(inv.base_dir).get_secret_value() == "network/switch/cisco-c3560"


def test_influxdb_is_configured_like_the_dev_server() -> None:
    """TSI and no cardinality limits, as devstack/influxdb.py runs it (INFLUXDB_DATA_<KEY> = [data] <key>)."""
    from devstack.influxdb import HIGH_CARDINALITY

    env = resolved()["services"]["influxdb"]["environment"]
    for key, value in HIGH_CARDINALITY.items():
        assert env[f"INFLUXDB_DATA_{key.upper().replace('-', '_')}"] == value.strip('"'), key


def test_the_image_holds_every_package_the_pdcs_command_imports() -> None:
    """deploy/Dockerfile copies, and pyproject.toml installs, each package ``pdcs`` imports (devstack: dev only)."""
    import ast
    import fnmatch
    import tomllib

    tree = ast.parse((REPO / "pdcs" / "cli.py").read_text(encoding="utf-8"))
    imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    packages = {p for p in imported if (REPO / p / "__init__.py").is_file()} - {"devstack"}
    assert {"pdcs", "federation", "notify", "supervision_api"} <= packages
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.M))
    include = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    for package in sorted(packages):
        assert package in copied, f"deploy/Dockerfile does not COPY {package}"
        assert any(fnmatch.fnmatch(package, pattern) for pattern in include["find"]["include"]), package
    # the health checks compose runs from the image
    for script in re.findall(r"/opt/pdcs/(deploy/\w+\.py)", COMPOSE.read_text(encoding="utf-8")):
        assert (REPO / script).is_file() and Path(script).name in dockerfile, script
