#!/usr/bin/env bash
# Prints the path of a nats-server binary >= 2.11 on stdout and exits 0; progress and errors go to stderr.
#
# Why 2.11: the bus relies on per-key TTL (KV `markerTTL`, the `Nats-TTL` header) for leases. Older
# servers (Debian bookworm ships 2.9.10) accept those options and silently ignore them, so a lease would
# never expire. See docs in /work/shared/design/ecosystem-notes.md §1.
#
# Lookup order:
#   1. $CSMS_NATS_SERVER, if set (a path or a command name); it must be >= 2.11, otherwise this fails.
#   2. The cached binary in <repo>/.test-runtime/nats/usr/sbin/nats-server, if it is >= 2.11.
#   3. Debian sid's `nats-server` package, fetched with apt-get into a private apt state folder (the
#      system's apt sources, lists and caches are left untouched) and unpacked with `dpkg -x` into
#      <repo>/.test-runtime/nats. The sid package is a static Go binary, so it runs on bookworm.
# Idempotent: once the cache holds a good binary, it only prints its path.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNTIME="$REPO/.test-runtime"
DEST="$RUNTIME/nats"
CACHED="$DEST/usr/sbin/nats-server"
MIN_VERSION="2.11.0"

log() { printf 'ensure-nats-server: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Prints the x.y.z version of a nats-server binary ("nats-server: v2.15.1" -> "2.15.1"), or nothing.
version_of() {
  "$1" --version 2>/dev/null | sed -n 's/.*v\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1
}

# True when version $1 >= $2 (numeric per component, via sort -V).
at_least() {
  [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# 1. Explicit override: never fall back silently, a wrong setting should be visible.
if [ -n "${CSMS_NATS_SERVER:-}" ]; then
  bin="$(command -v -- "$CSMS_NATS_SERVER" || true)"
  [ -n "$bin" ] && [ -x "$bin" ] || die "CSMS_NATS_SERVER=$CSMS_NATS_SERVER is not an executable"
  v="$(version_of "$bin")"
  at_least "$v" "$MIN_VERSION" ||
    die "CSMS_NATS_SERVER=$bin is nats-server ${v:-of unknown version}; >= $MIN_VERSION is needed (per-key TTL for leases). Unset it to use a downloaded one."
  printf '%s\n' "$bin"
  exit 0
fi

# 2. Cached binary.
if [ -x "$CACHED" ] && at_least "$(version_of "$CACHED")" "$MIN_VERSION"; then
  printf '%s\n' "$CACHED"
  exit 0
fi

# 3. Fetch from Debian sid.
command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
  die "no usable nats-server >= $MIN_VERSION and no apt-get/dpkg to fetch one; install nats-server >= $MIN_VERSION and set CSMS_NATS_SERVER to its path"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$KEYRING" ] || die "$KEYRING not found (package debian-archive-keyring); cannot verify Debian sid's package index"

mkdir -p "$RUNTIME"
# Serialise concurrent runs (parallel CI jobs sharing a checkout) so they do not unpack over each other.
if command -v flock >/dev/null; then
  exec 9>"$RUNTIME/nats.lock"
  flock 9
  # Another run may have finished the download while we waited.
  if [ -x "$CACHED" ] && at_least "$(version_of "$CACHED")" "$MIN_VERSION"; then
    printf '%s\n' "$CACHED"
    exit 0
  fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/csms-nats-apt.XXXXXX")"
STAGE=""
cleanup() {
  rm -rf "$WORK"
  [ -z "$STAGE" ] || rm -rf "$STAGE"
}
trap cleanup EXIT
mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial"
# As root, apt downloads as the unprivileged `_apt` user, which must be able to write here.
chmod -R 777 "$WORK"

# Use the mirror this machine already uses for Debian (it may be a local proxy), else the public one.
URI="$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
  grep -v -e security -e updates | grep -i debian | sort -u | head -n 1 || true)"
URI="${URI:-http://deb.debian.org/debian/}"
echo "deb [signed-by=$KEYRING] $URI sid main" >"$WORK/sources.list"
# Our private update must not run the system's update hooks (they act on the system's state).
cat >"$WORK/apt.conf" <<'EOF'
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
EOF
APT=(
  -c "$WORK/apt.conf"
  -o "Dir::Etc::sourcelist=$WORK/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$WORK/lists"
  -o "Dir::Cache=$WORK/cache"
  -o "Acquire::Languages=none"
  -q
)

log "fetching nats-server from Debian sid ($URI) into $DEST"
# --error-on=any: apt-get update otherwise exits 0 when the index could not be fetched.
apt-get "${APT[@]}" --error-on=any update >&2 || die "apt-get update of Debian sid's index from $URI failed (network or signature problem)"
(cd "$WORK" && apt-get "${APT[@]}" download nats-server/sid >&2) || die "apt-get download nats-server from Debian sid failed"
deb="$(ls "$WORK"/nats-server_*.deb 2>/dev/null | head -n 1)"
[ -n "$deb" ] || die "apt-get download produced no nats-server .deb"

# Unpack next to the destination, then swap it in, so an interrupted run never leaves half a binary.
STAGE="$(mktemp -d "$RUNTIME/nats.staging.XXXXXX")"
dpkg -x "$deb" "$STAGE" || die "dpkg -x $deb failed"
v="$(version_of "$STAGE/usr/sbin/nats-server")"
at_least "$v" "$MIN_VERSION" || die "Debian sid's nats-server is ${v:-of unknown version}, but >= $MIN_VERSION is needed"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
STAGE=""
log "installed nats-server $v ($(basename "$deb"))"
printf '%s\n' "$CACHED"
