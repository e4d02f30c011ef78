# Shared by scripts/demo and scripts/test (sourced, never run): Debian packages when they are
# missing, and the project's own virtual environment .venv with memtui installed in it.  The system
# interpreter is never changed (Debian 12 refuses `pip install` there anyway: PEP 668).
# The caller sets SCRIPT (its name, for messages) and runs from the repository root.

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PYTHON="${PYTHON:-python3}"
VENV=.venv
_apt_updated=""

# apt_install PKG...: install Debian packages quietly (with sudo when not root).
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$SCRIPT: $* missing, and there is no apt-get here: install them, then run $SCRIPT again" >&2
        return 1
    fi
    echo "$SCRIPT: installing $* (apt)"
    if [ -z "$_apt_updated" ]; then
        $SUDO apt-get update -q >/dev/null
        _apt_updated=1
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# ensure_venv [EXTRA]: .venv exists and holds memtui (editable, so it runs this checkout) with the
# optional extra ("sim" for the demo's simulator, "test" which includes "sim").  Reinstalls only when
# pyproject.toml changed or the extra is not covered by the one installed.
ensure_venv() {
    local extra="${1:-}"
    if ! command -v "$PYTHON" >/dev/null 2>&1 && [ "$PYTHON" = python3 ]; then
        apt_install python3 python3-venv  # a minimal Debian (a container image) has no Python at all
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "$SCRIPT: memtui needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1 || echo missing)" >&2
        exit 1
    fi
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        # Debian ships venv's ensurepip separately (python3-venv); without it `-m venv` fails halfway.
        if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            apt_install "python3.$("$PYTHON" -c 'import sys; print(sys.version_info[1])')-venv"
        fi
        "$PYTHON" -m venv --clear "$VENV"
    fi
    local stamp="$VENV/.memtui-installed" want
    want="$(sha256sum pyproject.toml | cut -d' ' -f1) ${extra:-none}"
    if [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "${want%% *}" ]; then
        case "${extra:-none} $(cut -d' ' -f2 "$stamp")" in
            "none "* | "sim sim" | "sim test" | "test test")
                return 0 ;;  # already installed for this pyproject.toml (test includes sim, sim the plain install)
        esac
    fi
    echo "$SCRIPT: installing memtui${extra:+[$extra]} in $VENV (pip)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".${extra:+[$extra]}"
    echo "$want" >"$stamp"
}
