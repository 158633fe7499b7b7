# Shared by the benchmark scripts: a Python venv with the peer libraries,
# created (and the missing packages installed with pip) when absent, so the
# side-by-side figures reproduce on a fresh machine.
# ensure_bench_venv DIR PACKAGE...   (pip names; import names are derived for the usual ones)
ensure_bench_venv() {
    local venv=$1; shift
    if [ ! -x "$venv/bin/python" ]; then
        echo "creating the peer venv $venv" >&2
        python3 -m venv "$venv" >&2
    fi
    local missing=() p mod
    for p in "$@"; do
        case $p in scikit-learn) mod=sklearn ;; *) mod=$p ;; esac
        "$venv/bin/python" -c "import $mod" 2>/dev/null || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]} into $venv" >&2
        "$venv/bin/pip" install -q "${missing[@]}" >&2
    fi
}
