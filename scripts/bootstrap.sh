# Sourced by scripts/run and scripts/test: installs what the hub needs on a
# fresh Debian or Ubuntu machine, then the Python environment under .venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root (or sudo) to run: $*" >&2; return 1; fi
}

# Debian packages: those named by the calling script (Tesseract's English
# data for scanned letters; libgl1 and libglib2.0-0, which OpenCV needs for
# the plate reader; Pango and the DejaVu fonts, with which WeasyPrint sets
# the audit report's PDF; for the tests also Chromium, whose plate images
# and letters are rendered with the same fonts), plus Python when it lacks
# venv and pip.
system_packages() {
  local packages=("$@")
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || packages+=(python3 python3-venv python3-pip)
  echo "${packages[@]}"
}

install_system_packages() {
  local wanted=()
  for package in $(system_packages "$@"); do
    dpkg -s "$package" >/dev/null 2>&1 || wanted+=("$package")
  done
  [ ${#wanted[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || { echo "Install these yourself: ${wanted[*]}" >&2; exit 1; }
  echo "Installing system packages: ${wanted[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}"
}

python_environment() {
  local extras="$1"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "The hub needs Python 3.11 or newer." >&2; exit 1; }
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    echo "Installing the hub's Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
}

export PATH="$ROOT/.venv/bin:$PATH"
