#!/bin/sh
# Offline install of pdcs-agent on a Linux terminal or kiosk: no network, no pip, no compiler.
# The bundled wheels are unpacked into $PREFIX/lib and run by the system's Python (3.11+).
#
#   sudo sh install.sh                 # /opt/pdcs-agent, /etc/pdcs-agent, systemd unit enabled and started
#   PREFIX=... ETC=... STATE=... SYSTEMD_DIR=... NO_START=1 sh install.sh   # elsewhere, without starting
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-/opt/pdcs-agent}
ETC=${ETC:-/etc/pdcs-agent}
STATE=${STATE:-/var/lib/pdcs-agent}
SYSTEMD_DIR=${SYSTEMD_DIR:-/etc/systemd/system}
PYTHON=${PYTHON:-python3}

PY=$(command -v "$PYTHON" || true)
if [ -z "$PY" ] || ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "pdcs-agent: needs Python 3.11 or newer as $PYTHON (安装失败：需要 Python 3.11 及以上)" >&2
  exit 1
fi

mkdir -p "$PREFIX/bin" "$ETC" "$STATE"
rm -rf "$PREFIX/lib.new"
mkdir -p "$PREFIX/lib.new"
for wheel in "$HERE"/wheels/*.whl; do
  "$PY" -m zipfile -e "$wheel" "$PREFIX/lib.new"
done
rm -rf "$PREFIX/lib.old"
if [ -d "$PREFIX/lib" ]; then mv "$PREFIX/lib" "$PREFIX/lib.old"; fi
mv "$PREFIX/lib.new" "$PREFIX/lib"
rm -rf "$PREFIX/lib.old"

cat > "$PREFIX/bin/pdcs-agent" <<LAUNCHER
#!/bin/sh
PYTHONPATH="$PREFIX/lib" exec "$PY" -s -m agents "\$@"
LAUNCHER
chmod 755 "$PREFIX/bin/pdcs-agent"
cp "$HERE/README.md" "$PREFIX/README.md"

if [ ! -f "$ETC/agent.yaml" ]; then
  sed "s#/var/lib/pdcs-agent#$STATE#g" "$HERE/agent.example.yaml" > "$ETC/agent.yaml"
  chmod 640 "$ETC/agent.yaml"
  echo "pdcs-agent: wrote $ETC/agent.yaml — set device: to the inventory id (请填写设备编号)"
fi

mkdir -p "$SYSTEMD_DIR"
sed "s#@PREFIX@#$PREFIX#g; s#@ETC@#$ETC#g; s#@STATE@#$STATE#g" "$HERE/pdcs-agent.service" \
  > "$SYSTEMD_DIR/pdcs-agent.service"
if [ "${NO_START:-0}" != 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now pdcs-agent.service
  echo "pdcs-agent: service enabled and started (服务已启动)"
fi
"$PREFIX/bin/pdcs-agent" --version
