# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Functions shared by the hydra-firstboot driver and its stages (hydra-first-boot.md §6, §7).
# Every path hangs off HYDRA_FIRSTBOOT_ROOT (empty on the Pi) so tests can run stages in a temp dir.

R=${HYDRA_FIRSTBOOT_ROOT:-}
FB_CONFIG=${HYDRA_FIRSTBOOT_CONFIG:-$R/etc/hydra-firstboot/config.env}
FB_STATE=${HYDRA_FIRSTBOOT_STATE:-$R/var/lib/hydra-firstboot}
FB_RUN=${HYDRA_FIRSTBOOT_RUNDIR:-$R/run/hydra-firstboot}
FB_LOG=${HYDRA_FIRSTBOOT_LOGDIR:-$R/var/log/hydra-firstboot}
FB_LOCK=${HYDRA_FIRSTBOOT_LOCK:-$R/run/hydra-firstboot.lock}
FB_CACHE=${HYDRA_FIRSTBOOT_CACHE:-$R/var/cache/hydra-firstboot}
FB_ETC=${HYDRA_FIRSTBOOT_ETC:-$R/etc}
FB_LIBDIR=${HYDRA_FIRSTBOOT_LIBDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# Seconds; tests set these to 0.
FB_BACKOFF_BASE=${HYDRA_FIRSTBOOT_BACKOFF_BASE:-60}
FB_BACKOFF_MAX=${HYDRA_FIRSTBOOT_BACKOFF_MAX:-1800}
FB_POLL=${HYDRA_FIRSTBOOT_POLL:-2}
export R FB_CONFIG FB_STATE FB_RUN FB_LOG FB_LOCK FB_CACHE FB_ETC FB_LIBDIR FB_BACKOFF_BASE FB_BACKOFF_MAX FB_POLL

# Stage exit codes the driver understands: fatal misconfiguration (EX_CONFIG, no retry) and "waiting for network"
# (EX_TEMPFAIL), from sysexits.h. Both are far from what commands return on their own: systemctl is-active says
# "inactive" with 3, which must stay a failure to retry, never a fatal stop. The preflight waits for the root's
# resize with the network's code (EXIT_WAIT).
EXIT_FATAL=78
EXIT_NETWORK=75
# shellcheck disable=SC2034 # used by the driver and stage 00
EXIT_WAIT=$EXIT_NETWORK

log() {
  printf '%s hydra-firstboot: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

# Replaces the one-line status (tmpfs) atomically and mirrors it to systemd when run by the unit.
status() {
  mkdir -p "$FB_RUN"
  printf '%s\n' "$*" > "$FB_RUN/status.tmp"
  mv -f "$FB_RUN/status.tmp" "$FB_RUN/status"
  if [ -n "${NOTIFY_SOCKET:-}" ]; then
    systemd-notify --status="$*" || true
  fi
  log "$*"
}

fatal() {
  status "FAILED: $*"
  exit "$EXIT_FATAL"
}

# Loads config.env (written by hydrapi) and checks the keys every stage relies on.
load_config() {
  [ -r "$FB_CONFIG" ] || fatal "configuration $FB_CONFIG missing"
  set -a
  # shellcheck source=/dev/null
  . "$FB_CONFIG"
  set +a
  case "${PIN:-}" in
    legacy-2016|modern) ;;
    *) fatal "PIN='${PIN:-}' in $FB_CONFIG is neither legacy-2016 nor modern" ;;
  esac
  # A fleet's builder installs Nix alone; images from before fleets have no ROLE and are servers.
  ROLE=${ROLE:-server}
  case "$ROLE" in
    server|builder) ;;
    *) fatal "ROLE='$ROLE' in $FB_CONFIG is neither server nor builder" ;;
  esac
  : "${HYDRA_REV:?HYDRA_REV missing in config.env}"
  : "${NIX_VERSION:?NIX_VERSION missing in config.env}"
}

# What a stamp holds: a stage re-runs when any of these change (§6.6).
pin_string() {
  printf '%s hydra=%s nix=%s\n' "$PIN" "$HYDRA_REV" "$NIX_VERSION"
}

# Writes FILE with CONTENT so that a power cut leaves either the old or the new file (tmp + sync + mv).
write_atomic() {
  local file=$1 content=$2
  mkdir -p "$(dirname "$file")"
  printf '%s' "$content" > "$file.tmp"
  sync "$file.tmp" 2>/dev/null || sync
  mv -f "$file.tmp" "$file"
  # The rename lives in the directory: without this a power cut can forget it (rename(2), fsync(2)).
  sync "$(dirname "$file")" 2>/dev/null || sync
}

stamp_path() {
  printf '%s/state/%s.done' "$FB_STATE" "$1"
}

stamp_current() {
  local stamp
  stamp=$(stamp_path "$1")
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(pin_string)" ]
}

mark_done() {
  write_atomic "$(stamp_path "$1")" "$(pin_string)"
}

# Seconds to wait before attempt N (1-based): 0 for the first, then base, 2*base, ... capped.
backoff_delay() {
  local n=$1 d=$FB_BACKOFF_BASE i
  if [ "$n" -le 1 ]; then echo 0; return; fi
  for ((i = 2; i < n; i++)); do
    d=$((d * 2))
    if [ "$d" -ge "$FB_BACKOFF_MAX" ]; then break; fi
  done
  if [ "$d" -gt "$FB_BACKOFF_MAX" ]; then d=$FB_BACKOFF_MAX; fi
  echo "$d"
}

# Runs "$@" up to N times with the backoff above; returns the last status.
retry_backoff() {
  local tries=$1 n rc=0
  shift
  for ((n = 1; n <= tries; n++)); do
    sleep "$(backoff_delay "$n")"
    rc=0
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then return 0; fi
    log "attempt $n/$tries of '$*' failed ($rc)"
  done
  return "$rc"
}

# A default route and a resolving name: cheap, bounded, and never hangs (timeout on the lookup).
have_network() {
  local probe=${HYDRA_FIRSTBOOT_NET_PROBE:-deb.debian.org}
  if ! ip -o route show default 2>/dev/null | grep -q . && ! ip -o -6 route show default 2>/dev/null | grep -q .; then
    return 1
  fi
  timeout 20 getent ahosts "$probe" >/dev/null 2>&1
}

# Stages that download call this first: no network means "waiting" and a non-zero exit for systemd to retry.
need_network() {
  if ! have_network; then
    status "waiting for network (stage ${FB_STAGE:-?})"
    exit "$EXIT_NETWORK"
  fi
}

apt_safe() {
  DEBIAN_FRONTEND=noninteractive timeout 7200 apt-get -y -q \
    -o Acquire::Retries=5 -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# One query as the postgres superuser; prints unaligned tuples only.
psqlq() {
  local db=postgres
  if [ "$1" = -d ]; then db=$2; shift 2; fi
  runuser -u postgres -- psql -X -v ON_ERROR_STOP=1 -d "$db" -tAc "$1"
}

wait_postgres() {
  local i
  for ((i = 0; i < 60; i++)); do
    if pg_isready -q; then return 0; fi
    sleep "$FB_POLL"
  done
  return 1
}

# Replaces the lines between "# BEGIN hydra-firstboot" and "# END hydra-firstboot" in FILE with BODY,
# at the top (pg_hba: first match wins) or the bottom; re-running gives the same file.
replace_block() {
  local file=$1 where=$2 body=$3 rest block
  rest=$(awk '/^# BEGIN hydra-firstboot$/{skip=1; next} /^# END hydra-firstboot$/{skip=0; next} !skip' "$file" 2>/dev/null || true)
  block=$(printf '# BEGIN hydra-firstboot\n%s\n# END hydra-firstboot' "$body")
  if [ "$where" = top ]; then
    write_atomic "$file" "$block"$'\n'"${rest:+$rest$'\n'}"
  else
    write_atomic "$file" "${rest:+$rest$'\n'}$block"$'\n'
  fi
}

# mkdir, then mode and owner: re-running converges.
ensure_dir() {
  local mode=$1 owner=$2 dir=$3
  mkdir -p "$dir"
  chmod "$mode" "$dir"
  chown "$owner" "$dir"
}

# Loads /etc/hydra/hydra.env into the environment of the commands run as the hydra users.
# The file's PATH goes after ours: the unit's PATH already holds the system directories.
load_hydra_env() {
  local keep=$PATH
  set -a
  # shellcheck source=/dev/null
  . "$FB_ETC/hydra/hydra.env"
  set +a
  PATH=$keep:$PATH
}

pin_is_legacy() {
  [ "$PIN" = legacy-2016 ]
}

# Whether stage file FILE runs on this machine: a stage with a line "# hydra-firstboot: role NAME..." runs only in
# those roles, one without in every role.
stage_for_role() {
  local roles
  roles=$(sed -n 's/^# hydra-firstboot: role //p' "$1")
  [ -z "$roles" ] || [[ " $(tr '\n' ' ' <<< "$roles") " == *" $ROLE "* ]]
}

# Parallel compile jobs: one per 1.5 GiB of RAM, at least 1, at most one per core. A "4 GB" Pi reports about
# 3.7 GiB and gets 2; the largest compiler processes of Nix 1.11 and Hydra peak near 400 MiB each.
build_jobs() {
  local mem_kib cores jobs
  mem_kib=$(awk '$1 == "MemTotal:" { print $2 }' "${HYDRA_FIRSTBOOT_MEMINFO:-/proc/meminfo}")
  cores=$(nproc)
  jobs=$(( mem_kib * 2 / (3 * 1024 * 1024) ))
  if [ "$jobs" -lt 1 ]; then jobs=1; fi
  if [ "$jobs" -gt "$cores" ]; then jobs=$cores; fi
  echo "$jobs"
}

sha256_matches() {
  local file=$1 expected=$2
  [ -f "$file" ] && echo "$expected  $file" | sha256sum -c --status
}

# Makes FILE hold the bytes whose sha256 is HEX: the copy the build put into the image when there is one, else a
# download from URL (an image built with the sources left to the Pi). A wrong download is deleted and fatal: the
# same URL would give the same wrong bytes again.
ensure_source() {
  local file=$1 hex=$2 url=$3
  if sha256_matches "$file" "$hex"; then return 0; fi
  if [ -e "$file" ]; then
    fatal "$file does not match sha256 $hex; rebuild the image with hydrapi"
  fi
  need_network
  mkdir -p "$(dirname "$file")"
  log "downloading $url"
  curl -fsSL --retry 3 --max-time 900 -o "$file.part" "$url"
  if ! sha256_matches "$file.part" "$hex"; then
    rm -f "$file.part"
    fatal "$url does not match sha256 $hex"
  fi
  mv -f "$file.part" "$file"
}
