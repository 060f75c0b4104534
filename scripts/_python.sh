# Sourced by the scripts: find a Python >= 3.13 and keep the project's venv in .venv.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}

# Print the path of the first Python >= $1 on PATH, then in pyenv; nothing when there is none.
find_python() {
  local minor=$1 candidate
  for candidate in python3 "python3.$minor" python3.14 python3.15 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c "import sys; sys.exit(sys.version_info < (3, $minor))" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local root version
    root=$(pyenv root)
    for version in $(ls -1 "$root/versions" 2>/dev/null | sort -t. -k1,1n -k2,2n -k3,3n -r); do
      candidate="$root/versions/$version/bin/python3"
      if [ -x "$candidate" ] &&
        "$candidate" -c "import sys; sys.exit(sys.version_info < (3, $minor))" >/dev/null 2>&1; then
        echo "$candidate"
        return 0
      fi
    done
  fi
  return 1
}

# Create or refresh $VENV with requirements_test.txt (and the manifest's requirements).
ensure_venv() {
  local python stamp wanted
  if [ ! -x "$VENV/bin/python" ]; then
    python=$(find_python 13) || {
      echo "error: no Python >= 3.13 found on PATH or in pyenv." >&2
      echo "       Install one (e.g. 'pyenv install 3.13') and run this again." >&2
      exit 1
    }
    echo "Creating $VENV with $python" >&2
    "$python" -m venv "$VENV"
  fi
  stamp="$VENV/.requirements.sha256"
  wanted=$(cat "$ROOT/requirements_test.txt" "$ROOT/custom_components/smsc/manifest.json" | sha256sum | cut -c1-64)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing test requirements into $VENV (a few minutes the first time)" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements_test.txt"
    echo "$wanted" >"$stamp"
  fi
}
