#!/usr/bin/env bash
# Waymark's two commands: `run` (the app on a demo profile) and `test` (lint,
# architecture contracts and the whole test suite). Each sets up everything it
# needs on a fresh Debian/Ubuntu machine: system packages via apt-get when
# missing, a virtual environment in .venv, and the Python packages from PyPI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${WAYMARK_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Another apt or dpkg run (unattended-upgrades, a second terminal) may hold apt's
# locks. `install` waits for the dpkg lock itself (DPkg::Lock::Timeout); `update`
# does not wait for the package-lists lock, so it is retried here for as long.
APT_LOCK_WAIT="${WAYMARK_APT_LOCK_WAIT:-600}"    # seconds
APT_RETRY_EVERY="${WAYMARK_APT_RETRY_EVERY:-5}"  # seconds between tries of a locked update

apt_get() {
    local waited=0 err status
    err="$(mktemp)"
    while true; do
        set +e
        "$@" 2>"$err"
        status=$?
        set -e
        if [ $status -eq 0 ] || ! grep -q "Could not get lock" "$err" || [ "$waited" -ge "$APT_LOCK_WAIT" ]; then
            cat "$err" >&2
            rm -f "$err"
            return $status
        fi
        [ "$waited" -eq 0 ] && say "Another program is using apt; waiting for it (up to $APT_LOCK_WAIT s)."
        sleep "$APT_RETRY_EVERY"
        waited=$((waited + APT_RETRY_EVERY))
    done
}

apt_install() {
    # Install the Debian packages that are missing; quiet when all are there.
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "Please install these system packages: ${missing[*]}"
        return 0
    fi
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    local lock=(-o "DPkg::Lock::Timeout=$APT_LOCK_WAIT")
    say "Installing system packages: ${missing[*]}"
    apt_get "${sudo[@]}" apt-get "${lock[@]}" update -qq >/dev/null
    apt_get "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Libraries the Qt wheels load, for the offscreen and the X11 platforms.
QT_LIBS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
         libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
         libxcb-render-util0 libxcb-image0 libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxi6)

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment in $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.waymark-installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        say "Installing Waymark and its Python packages"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[dev]"
        touch "$stamp"
    fi
}

cmd_run() {
    apt_install "${QT_LIBS[@]}"
    setup_venv
    local args=(app --demo)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
        apt_install xvfb xauth
        say "No display found: running on a virtual X display (xvfb-run)."
        exec xvfb-run -a -s "-screen 0 1600x900x24" "$VENV/bin/waymark" "${args[@]}" "$@"
    fi
    exec "$VENV/bin/waymark" "${args[@]}" "$@"
}

cmd_test() {
    apt_install "${QT_LIBS[@]}" poppler-utils fonts-dejavu-core
    setup_venv
    say "ruff: lint and format"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    say "import-linter: the layers point down"
    "$VENV/bin/lint-imports"
    say "pytest"
    export QT_QPA_PLATFORM=offscreen
    set +e
    # On every core (pytest-xdist); a test file stays on one worker, so its module
    # fixtures are made once. WAYMARK_TEST_WORKERS=0 runs in this process.
    "$VENV/bin/python" -m pytest -n "${WAYMARK_TEST_WORKERS:-auto}" --dist loadfile "$@"
    local status=$?
    set -e
    if [ $status -eq 5 ]; then
        say "pytest collected no tests: that is a failure here."
        exit 1
    fi
    exit $status
}

# Sourced (by tests) it only defines the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
        run) shift; cmd_run "$@" ;;
        test) shift; cmd_test "$@" ;;
        *) echo "usage: $0 run|test [args...]" >&2; exit 2 ;;
    esac
fi
