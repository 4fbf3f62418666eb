/**
 * The one-line installer served at `GET /agent/v1/install.sh` (docs/agent-distribution.md):
 *   curl -fsSL https://<control-plane>/agent/v1/install.sh | sudo sh -s -- --token <enrollment JWT>
 * POSIX sh, shellcheck-clean (test/e2e/agent-install.test.ts runs shellcheck on the served bytes).
 * The enrollment token is an argument (or FLEETGATE_TOKEN / --token-file), never part of a URL.
 * `\${` below is a literal `${` for the shell (this is a JS template literal).
 */
const SCRIPT = `#!/bin/sh
# Fleetgate agent installer, served by the control plane.
#   curl -fsSL SERVER/agent/v1/install.sh | sudo sh -s -- --token <enrollment JWT>
# Detects OS and architecture, downloads the agent (distribution package or self-contained
# executable) and verifies its sha256, writes the config with this server's URL, enrolls with
# the token (the key pair is generated on this host), installs and starts the service.
set -eu

SERVER=__FLEETGATE_SERVER__
TOKEN=\${FLEETGATE_TOKEN:-}
ROOT=""
METHOD=auto
START=1
FORCE=0
VERSION=""
UNIT=fleetgate-agent.service

say() { printf 'fleetgate-install: %s\\n' "$*"; }
die() { printf 'fleetgate-install: error: %s\\n' "$*" >&2; exit 1; }

usage() {
  cat <<USAGE
usage: sh install.sh --token <enrollment JWT> [options]

  --token <JWT>        one-time enrollment token (or FLEETGATE_TOKEN, or --token-file)
  --token-file <file>  read the token from a file
  --server <url>       control plane URL (default: $SERVER)
  --method <m>         auto (default) | package (.deb/.rpm) | binary (self-contained executable)
  --version <v>        agent version (default: the latest published)
  --force              overwrite an existing config and enroll again
  --no-start           install and enroll, but do not enable or start the service
  --root <dir>         install below <dir> instead of / (binary method; implies no root check)
  -h, --help           this text
USAGE
}

need_value() { [ "$2" -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --token) need_value "$1" $#; TOKEN=$2; shift 2 ;;
    --token=*) TOKEN=\${1#--token=}; shift ;;
    --token-file) need_value "$1" $#; TOKEN=$(cat -- "$2") || die "cannot read $2"; shift 2 ;;
    --server) need_value "$1" $#; SERVER=$2; shift 2 ;;
    --method) need_value "$1" $#; METHOD=$2; shift 2 ;;
    --version) need_value "$1" $#; VERSION=$2; shift 2 ;;
    --root) need_value "$1" $#; ROOT=$2; shift 2 ;;
    --force) FORCE=1; shift ;;
    --no-start) START=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

# --- checks before anything is changed -------------------------------------------------
TOKEN=$(printf '%s' "$TOKEN" | tr -d ' \\t\\r\\n')
[ -n "$TOKEN" ] || die "an enrollment token is required: --token <JWT> (from the control plane's enrollment dialog)"
case "$TOKEN" in
  *[!A-Za-z0-9._-]*) die "the token is not a JWT" ;;
  *.*.*) ;;
  *) die "the token is not a JWT" ;;
esac
SERVER=\${SERVER%/}
case "$SERVER" in
  http://*|https://*) ;;
  *) die "invalid server URL: $SERVER" ;;
esac
case "$SERVER" in
  *[!A-Za-z0-9:/._%-]*) die "invalid server URL: $SERVER" ;;
esac
case "$VERSION" in
  ''|[0-9]*.[0-9]*.[0-9]*) ;;
  *) die "invalid version: $VERSION" ;;
esac
case "$VERSION" in
  *[!A-Za-z0-9.+-]*) die "invalid version: $VERSION" ;;
esac
case "$METHOD" in
  auto|package|binary) ;;
  *) die "--method must be auto, package or binary" ;;
esac
if [ -n "$ROOT" ]; then
  case "$ROOT" in
    /*) ;;
    *) die "--root must be an absolute path" ;;
  esac
  case "$ROOT" in
    *[!A-Za-z0-9/._-]*) die "--root may contain only letters, digits and / . _ -" ;;
  esac
  ROOT=\${ROOT%/}
  [ "$METHOD" != package ] || die "--root works with the binary method only"
  METHOD=binary
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root: curl -fsSL $SERVER/agent/v1/install.sh | sudo sh -s -- --token <JWT>"
fi

[ "$(uname -s)" = Linux ] || die "unsupported OS: $(uname -s) (Linux only)"
case "$(uname -m)" in
  x86_64|amd64) ARCH=x64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) die "unsupported architecture: $(uname -m) (x86_64 and aarch64 only)" ;;
esac

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --proto '=https,http' --retry 3 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die "curl or wget is required"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
elif command -v openssl >/dev/null 2>&1; then
  sha256() { openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1; }
else
  die "sha256sum, shasum or openssl is required"
fi

DISTRO=unknown
DISTRO_LIKE=""
if [ -r /etc/os-release ]; then
  # shellcheck source=/dev/null
  DISTRO=$(. /etc/os-release && printf '%s' "\${ID:-unknown}")
  # shellcheck source=/dev/null
  DISTRO_LIKE=$(. /etc/os-release && printf '%s' "\${ID_LIKE:-}")
fi
if [ "$METHOD" != binary ]; then
  PKG=""
  case " $DISTRO $DISTRO_LIKE " in
    *" debian "*|*" ubuntu "*) command -v dpkg >/dev/null 2>&1 && PKG=deb ;;
    *" rhel "*|*" fedora "*|*" centos "*|*" suse "*|*" opensuse "*) command -v rpm >/dev/null 2>&1 && PKG=rpm ;;
  esac
  if [ -n "$PKG" ]; then
    METHOD=package
  elif [ "$METHOD" = package ]; then
    die "no .deb or .rpm for this distribution ($DISTRO); use --method binary"
  else
    METHOD=binary
  fi
fi
say "linux-$ARCH, $DISTRO, installing the $METHOD from $SERVER"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
QUERY=""
[ -z "$VERSION" ] || QUERY="?version=$VERSION"

# download NAME DEST: fetch an artifact and check it against the sha256 the server publishes.
download() {
  fetch "$SERVER/agent/v1/download/$1$QUERY" "$2" || die "download of $1 failed"
  fetch "$SERVER/agent/v1/download/$1.sha256$QUERY" "$2.sha256" || die "download of $1.sha256 failed"
  expected=$(cut -d ' ' -f 1 "$2.sha256")
  actual=$(sha256 "$2")
  [ "$expected" = "$actual" ] || die "sha256 mismatch for $1: expected $expected, got $actual"
  say "downloaded $1 (sha256 $actual, verified)"
}

# --- install ---------------------------------------------------------------------------
if [ "$METHOD" = package ]; then
  download "linux-$ARCH.$PKG" "$TMP/fleetgate-agent.$PKG"
  if [ "$PKG" = deb ]; then
    DEBIAN_FRONTEND=noninteractive dpkg -i "$TMP/fleetgate-agent.deb" >/dev/null || die "dpkg -i failed"
  elif command -v dnf >/dev/null 2>&1; then
    dnf -y -q install "$TMP/fleetgate-agent.rpm" >/dev/null || die "dnf install failed"
  elif command -v yum >/dev/null 2>&1; then
    yum -y -q install "$TMP/fleetgate-agent.rpm" >/dev/null || die "yum install failed"
  else
    rpm -U --replacepkgs "$TMP/fleetgate-agent.rpm" || die "rpm -U failed"
  fi
  EXE=/usr/bin/fleetgate-agent
  say "installed the fleetgate-agent package ($EXE, systemd unit, /etc/fleetgate-agent)"
else
  download "linux-$ARCH" "$TMP/fleetgate-agent"
  download "$UNIT" "$TMP/$UNIT"
  EXE=$ROOT/usr/local/bin/fleetgate-agent
  install -d -m 0755 "$ROOT/usr/local/bin" "$ROOT/etc/systemd/system"
  install -m 0755 "$TMP/fleetgate-agent" "$EXE.new"
  mv -f "$EXE.new" "$EXE"
  sed 's|/usr/bin/fleetgate-agent|/usr/local/bin/fleetgate-agent|' "$TMP/$UNIT" > "$ROOT/etc/systemd/system/$UNIT"
  chmod 0644 "$ROOT/etc/systemd/system/$UNIT"
  install -d -m 0750 "$ROOT/etc/fleetgate-agent"
  install -d -m 0700 "$ROOT/var/lib/fleetgate-agent"
  say "installed $EXE and $ROOT/etc/systemd/system/$UNIT"
fi
"$EXE" --version >/dev/null || die "$EXE does not run on this host"

# --- config ----------------------------------------------------------------------------
CONF=$ROOT/etc/fleetgate-agent/config.yaml
STATE=$ROOT/var/lib/fleetgate-agent
if [ -f "$CONF" ] && [ "$FORCE" -ne 1 ]; then
  say "kept the existing $CONF (--force replaces it)"
else
  (
    umask 027
    printf '%s\\n' "# Written by the Fleetgate installer. Reference: docs/agent-protocol.md." \\
      "server: '$SERVER'" "state_dir: '$STATE'" "scripts: {}" "tags: {}" > "$CONF.new"
  )
  mv -f "$CONF.new" "$CONF"
  say "wrote $CONF (server $SERVER)"
fi

# --- enroll ----------------------------------------------------------------------------
if [ -f "$STATE/key.pem" ] && [ -f "$STATE/cert.pem" ] && [ "$FORCE" -ne 1 ]; then
  say "already enrolled ($STATE); the token was not used (--force enrolls again)"
else
  if [ "$FORCE" -eq 1 ]; then
    "$EXE" enroll --config "$CONF" --token "$TOKEN" --force || die "enrollment failed"
  else
    "$EXE" enroll --config "$CONF" --token "$TOKEN" || die "enrollment failed"
  fi
fi

# --- service ---------------------------------------------------------------------------
if [ "$START" -eq 0 ]; then
  say "service not started (--no-start); start it with: systemctl enable --now $UNIT"
elif [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload
  systemctl enable "$UNIT" >/dev/null 2>&1
  systemctl restart "$UNIT"
  say "service $UNIT enabled and started (logs: journalctl -u $UNIT -f)"
else
  say "systemd is not running: start the agent with: $EXE run --config $CONF"
fi
say "done"
`;

/** Quotes a value for a POSIX shell assignment. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** The installer with this control plane's public URL as its default server. */
export function renderInstallScript(server: string): string {
  return SCRIPT.replace("__FLEETGATE_SERVER__", shellQuote(server));
}
