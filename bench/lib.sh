# shellcheck shell=sh
# Shared by the benchmarks (sourced after setting root, the checkout):
# die, the drpwatch binary to time, and where its source stands.
: "${root:?set root before sourcing bench/lib.sh}"

die() {
    echo "bench: $*" >&2
    exit 1
}

# bench_binary [PATH]: sets bin to PATH, else $DRPWATCH, else
# $root/_build/default/drpwatch (built with scripts/setup.sh when
# missing); an absolute path to an executable, or the bench stops.
bench_binary() {
    bin=${1:-${DRPWATCH:-}}
    if [ -z "$bin" ]; then
        bin=$root/_build/default/drpwatch
        if [ ! -x "$bin" ]; then
            echo "bench: $bin missing: building (scripts/setup.sh default)" >&2
            (cd "$root" && scripts/setup.sh default) || die "build failed"
        fi
    fi
    [ -x "$bin" ] || die "not an executable: $bin"
    case $bin in
    /*) ;;
    *) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
    esac
}

# bench_source: "git REV", "git REV with uncommitted changes", or "not a
# git checkout".
bench_source() {
    if rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
        if git -C "$root" --no-optional-locks diff-index --quiet HEAD -- \
            2>/dev/null; then
            echo "git $rev"
        else
            echo "git $rev with uncommitted changes"
        fi
    else
        echo "not a git checkout"
    fi
}
