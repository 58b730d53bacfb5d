#!/bin/sh
# Installs what drpwatch needs to build and test (Debian 12 packages, only
# those missing), then configures and builds it in _build/NAME.
#   scripts/setup.sh [NAME [CONFIGURE-ARGS...]]    (default NAME: default)
set -eu
cd "$(dirname "$0")/.."

PACKAGES="gcc libc6-dev make autoconf automake pkg-config
libcurl4-openssl-dev libxml2-dev libgumbo-dev libpcre2-dev libpq-dev
libyaml-dev libjansson-dev libssl-dev libhyperscan-dev libunistring-dev libpsl-dev
libicu-dev libidn2-dev libuchardet-dev libc-ares-dev libmicrohttpd-dev
postgresql postgresql-client python3 python3-aiosmtpd clang libclang-rt-14-dev nodejs
unbound dnstwist python3-idna python3-dnspython"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
        grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
# The tests check STIX bundles with ../shared/tools/stix-validate (node and
# ajv from the npm registry). A nodejs package of another origin may carry
# npm itself; Debian's own needs the npm package.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages:$missing" >&2
        echo "setup: install them as root: apt-get install$missing" >&2
        exit 1
    fi
    echo "setup: installing:$missing" >&2
    # drpwatch runs its own clusters: no system-wide one is wanted.
    if ! dpkg-query -W postgresql-common >/dev/null 2>&1; then
        mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" \
            >/etc/postgresql-common/createcluster.d/drpwatch.conf
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # unbound is the DNS server of the tests and benches, which start
    # their own on loopback ports: no system-wide resolver is wanted.
    case " $missing " in
    *" unbound "*)
        if [ -d /run/systemd/system ]; then
            systemctl disable --now unbound.service \
                unbound-resolvconf.service >/dev/null 2>&1 || true
        elif [ -x /etc/init.d/unbound ]; then
            /etc/init.d/unbound stop >/dev/null 2>&1 || true
            update-rc.d unbound disable >/dev/null 2>&1 || true
        fi
        ;;
    esac
fi

name=${1:-default}
[ $# -gt 0 ] && shift
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p "_build/$name"
cd "_build/$name"
if [ ! -f Makefile ] || [ ../../configure -nt Makefile ] ||
    [ "$(cat .configure-args 2>/dev/null)" != "$*" ]; then
    ../../configure -q "$@"
    echo "$*" >.configure-args
fi
make -j"$(nproc)" >/dev/null
