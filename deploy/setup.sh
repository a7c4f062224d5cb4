#!/usr/bin/env bash
# The README's Quick start. On a Debian bookworm machine, as root:
#   deploy/setup.sh serve [dsr-broker flags...]  install what is missing, build,
#                                                 run the broker in the foreground
#   deploy/setup.sh test                          install what is missing, build,
#                                                 run the whole test suite
#   deploy/setup.sh bench [dsr-bench flags...]    install what is missing, build,
#                                                 run the benchmark suite (minutes)
# Both are idempotent and quick when nothing changed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"

# Debian packages the build, the broker and the tests need.
PACKAGES=(
  g++ cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  librocksdb-dev libabsl-dev libssl-dev libcli11-dev openssl libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  python3 python3-grpcio python3-protobuf
  # Test tooling: an HTTP/2 client for the flood tests, the front proxy they
  # run, and prlimit (util-linux) to lower a test broker's file limit.
  python3-h2 haproxy util-linux
  # A real SMTP server for the identity tests, and Ed25519 checks in Python.
  python3-aiosmtpd python3-cryptography
  # clang's thread-safety analysis over the sources (tests/static).
  clang-14
)

say() { printf 'setup: %s\n' "$*" >&2; }

install_missing() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing packages: ${missing[*]}"
    say "run this script as root, or: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$BUILD" -j "$(nproc)"
}

# The master key (wraps the keys that encrypt personal data) and the pepper
# (keys subject pseudonyms), each 64 hex digits, mode 0600, kept apart from the
# data directory. Made only while the database is new: later, a missing key
# means lost data, and the broker refuses to start rather than start blind.
make_keys() {
  local keys=$1 data=$2 name
  mkdir -p "$keys"
  chmod 700 "$keys"
  for name in master_key pepper; do
    [ -f "$keys/$name" ] && continue
    if [ -e "$data/db/CURRENT" ]; then
      say "$keys/$name is missing but $data already holds data; restore it (a new key cannot read it)"
      exit 1
    fi
    (umask 077 && openssl rand -hex 32 >"$keys/$name.new" && mv "$keys/$name.new" "$keys/$name")
    say "created $keys/$name (mode 0600); back it up apart from the data"
  done
}

case "${1:-}" in
  serve)
    shift
    install_missing
    build
    mkdir -p "$ROOT/var/dsr"
    make_keys "$ROOT/var/keys" "$ROOT/var/dsr"
    # A catch-all SMTP server for local use: the emails the broker sends
    # (one-time codes included) land in var/mail.log instead of a mailbox.
    /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2525 -c aiosmtpd.handlers.Debugging \
      >>"$ROOT/var/mail.log" 2>&1 &
    mail_pid=$!
    trap 'kill "$mail_pid" 2>/dev/null' EXIT
    say "starting dsr-broker on 127.0.0.1:50051 with data in var/dsr/, keys in var/keys/, backups in var/backups/, emails in var/mail.log (Ctrl-C stops it)"
    "$BUILD/broker/server/dsr-broker" --listen 127.0.0.1:50051 --data_dir "$ROOT/var/dsr" \
      --master_key_file "$ROOT/var/keys/master_key" --pepper_file "$ROOT/var/keys/pepper" \
      --backup_dir "$ROOT/var/backups" --smtp_url smtp://127.0.0.1:2525 \
      --smtp_from dsr-broker@localhost "$@"
    ;;
  test)
    install_missing
    build
    # Every label CI runs: unit, integration, e2e, static. Long soak runs get their
    # own label and are excluded here.
    cd "$BUILD"
    exec ctest --output-on-failure -j "$(nproc)" -LE soak
    ;;
  bench)
    shift
    install_missing
    build
    # On the disk being measured (not tmpfs, which makes syncs free).
    exec "$BUILD/tests/bench/dsr-bench" "$@"
    ;;
  *)
    echo "usage: deploy/setup.sh serve [dsr-broker flags...] | test | bench [dsr-bench flags...]" >&2
    exit 2
    ;;
esac
