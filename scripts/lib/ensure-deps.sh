# Sourced by scripts/demo and scripts/test: installs the system packages
# ChurnLab builds against, when missing (Debian/Ubuntu; sudo when not root).
set -euo pipefail

CHURNLAB_APT_PACKAGES=(liblua5.4-dev libedit-dev libsqlite3-dev libzmq3-dev zlib1g-dev libsnappy-dev libzstd-dev libpq-dev libopenblas-serial-dev pkg-config)

ensure_system_packages() {
    local missing=()
    for pkg in "${CHURNLAB_APT_PACKAGES[@]}" "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        echo "==> installing ${missing[*]}" >&2
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift toolchain (5.9 or newer) is not on PATH; install it from swift.org first" >&2
        exit 1
    fi
}
