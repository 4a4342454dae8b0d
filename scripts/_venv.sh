# Sourced by scripts/run and scripts/test: make .venv with the project installed.
# $1: the extras to install ("" or "test"). Versions come from constraints.txt (the lock;
# refresh it with scripts/lock), so every machine, CI and the image test the same set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Transmission needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -c 'import ensurepip' 2>/dev/null && [ "$(id -u)" = 0 ] \
      && command -v apt-get >/dev/null; then
    # Debian's own python3 leaves venv support to a package of its own
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" >/dev/null \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-${1:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ -n "${1:-}" ]; then
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[$1]"
  else
    .venv/bin/python -m pip install --quiet -c constraints.txt -e .
  fi
  touch "$stamp"
fi
