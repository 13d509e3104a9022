#!/usr/bin/env bash
# Installs what swiftc-infer's build, tests and Tools/ need on Debian 12, and nothing that is
# already there. Quiet unless it installs something or fails. Safe to run repeatedly, with CI=true
# and without stdin.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
debian_packages=(libopenblas-dev liblapacke-dev pkg-config)

fail() { echo "setup.sh: error: $*" >&2; exit 1; }
note() { echo "setup.sh: $*"; }

# Root runs apt directly; otherwise sudo (non-interactive) if available.
if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
else
    as_root=(__no_root__)
fi

apt_updated=0
apt_install() {
    [[ ${as_root[0]:-} == __no_root__ ]] && fail "need root (or sudo) to install Debian packages: $*"
    command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install these packages by hand: $*"
    export DEBIAN_FRONTEND=noninteractive
    local log
    log="$(mktemp)"
    if [[ $apt_updated -eq 0 ]]; then
        "${as_root[@]}" apt-get update -qq </dev/null >"$log" 2>&1 \
            || { cat "$log" >&2; rm -f "$log"; fail "apt-get update failed"; }
        apt_updated=1
    fi
    note "installing Debian packages: $*"
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "$@" </dev/null >"$log" 2>&1 \
        || { cat "$log" >&2; rm -f "$log"; fail "apt-get install $* failed"; }
    rm -f "$log"
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# 1. Debian packages (OpenBLAS + LAPACKE headers for COpenBLAS, pkg-config to find them).
command -v dpkg-query >/dev/null 2>&1 || fail "not a Debian-like system (no dpkg-query); install OpenBLAS, LAPACKE and pkg-config by hand"
missing=()
for package in "${debian_packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[[ ${#missing[@]} -eq 0 ]] || apt_install "${missing[@]}"

# 2. Python packages, only when an import fails or a pinned version differs.
python_ok() {
    python3 - <<'PY' >/dev/null 2>&1
import onnx, onnxruntime, numpy, matplotlib
import tritonclient.http, tritonclient.grpc, yaml
assert onnx.__version__.startswith("1.23."), onnx.__version__
assert onnxruntime.__version__.startswith("1.32."), onnxruntime.__version__
PY
}
if ! python_ok; then
    [[ -f $requirements ]] || fail "missing $requirements"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt_install python3-pip
    fi
    export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1
    note "installing Python packages from Tools/requirements.txt"
    pip_log="$(mktemp)"
    if ! python3 -m pip install -q -r "$requirements" </dev/null >"$pip_log" 2>&1; then
        if grep -q "externally-managed-environment" "$pip_log"; then
            # Debian's own python3 (PEP 668): these pins are not packaged by Debian.
            python3 -m pip install -q --break-system-packages -r "$requirements" </dev/null >"$pip_log" 2>&1 \
                || { cat "$pip_log" >&2; rm -f "$pip_log"; fail "pip install -r Tools/requirements.txt failed"; }
        else
            cat "$pip_log" >&2; rm -f "$pip_log"; fail "pip install -r Tools/requirements.txt failed"
        fi
    fi
    rm -f "$pip_log"
    python_ok || fail "Python packages still missing or at the wrong version after pip install (python3 is $(command -v python3))"
fi

# 3. The Swift toolchain cannot come from a package registry: say where to get it.
if ! command -v swift >/dev/null 2>&1; then
    fail "swift not found on PATH. Install Swift 6.3.1 for Debian 12 from https://www.swift.org/install/linux/ (unpack it, e.g. to /opt/swift, and add /opt/swift/usr/bin to PATH)"
fi
