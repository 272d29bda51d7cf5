#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots a hydrapi-built image's root under a real systemd (systemd-nspawn --boot) and judges its first boot from
# outside, with the system's own answers: the done stamp, Hydra's HTTP API on :3000 (front page, admin login with
# /root/hydra-admin-password and with a wrong password, each jobset's first build), the Nix store holding each
# build's output, and a second boot that starts Hydra again without running first boot. Prints a summary; exit 0
# only when every check held.
#
# The disk is first grown to a card's size and its root partition and filesystem grown into it, as Raspberry Pi OS
# does on its first boot (nspawn runs no initramfs nor raspberrypi-sys-mods). The container shares the host's
# network: apt inside reaches Debian's archive, and :3000, PostgreSQL's 5432 and sshd's 22 are the host's; the root
# must hold no interface manager (ifupdown, networkd, dhclient). Needs root, systemd-nspawn (systemd-container),
# losetup, sfdisk, e2fsck, resize2fs, mtools, xz, curl and jq. Everything it makes lives below --work and is removed
# on exit, also on Ctrl-C (--keep leaves it).
#
# usage: testdata/firstboot-e2e.sh IMAGE.img.xz [--work DIR] [--card-size SIZE] [--timeout SECONDS] [--keep]
set -Eeuo pipefail

image=
work=
card=16G
timeout_s=5400
keep=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --card-size) card=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -*) echo "firstboot-e2e.sh: unknown option $1" >&2; exit 2 ;;
    *) image=$1; shift ;;
  esac
done
[ -n "$image" ] || { echo "usage: firstboot-e2e.sh IMAGE.img.xz [--work DIR] [--card-size SIZE] [--timeout S] [--keep]" >&2; exit 2; }
# shellcheck source-path=SCRIPTDIR source=nspawn-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/nspawn-lib.sh"
nspawn_require
for port in 3000 5432; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "firstboot-e2e.sh: something already listens on port $port; the container shares this network" >&2
    exit 2
  fi
done

work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/hydrapi-e2e.XXXXXX")}
mkdir -p "$work"
console=$work/console.log
nspawn_traps
nspawn_prepare "$image"

config=$root/etc/hydra-firstboot/config.env
[ -r "$config" ] || { echo "firstboot-e2e.sh: $image has no /etc/hydra-firstboot/config.env (not a hydrapi Hydra image)" >&2; exit 2; }
admin=$(sed -n "s/^ADMIN_USER='\(.*\)'$/\1/p" "$config")
pin=$(sed -n "s/^PIN='\(.*\)'$/\1/p" "$config")

http() {  # METHOD PATH [DATA] -> prints "CODE BODY"
  local body code
  body=$(mktemp -p "$work")
  code=$(curl -sS --max-time 60 -o "$body" -w '%{http_code}' -X "$1" -H 'Accept: application/json' \
    -H 'Content-Type: application/json' -H 'Referer: http://127.0.0.1:3000/' ${3:+--data-binary "$3"} \
    "http://127.0.0.1:3000$2" || true)
  printf '%s %s' "${code:-000}" "$(cat "$body")"
  rm -f "$body"
}

# ---- first boot ---------------------------------------------------------------------------------------------------
log "first boot of pin $pin (log: /var/log/hydra-firstboot in the root; timeout ${timeout_s}s)"
nspawn_boot "$console"
last=
while :; do
  if [ -e "$root/var/lib/hydra-firstboot/done" ] || [ -e "$root/var/lib/hydra-firstboot/failed" ]; then break; fi
  if ! kill -0 "$nspawn_pid" 2>/dev/null; then log "the container stopped before first boot ended"; break; fi
  if [ $(( $(date +%s) - t0 )) -gt "$timeout_s" ]; then log "timeout after ${timeout_s}s"; break; fi
  line=$(grep -a 'hydra-firstboot: stage [0-9]*/' "$root/var/log/hydra-firstboot/firstboot.log" 2>/dev/null \
    | tail -n 1 | sed 's/.*hydra-firstboot: //' || true)
  if [ -n "$line" ] && [ "$line" != "$last" ]; then log "$line"; last=$line; fi
  sleep 5
done
firstboot_s=$(( $(date +%s) - t0 ))

done_file=$root/var/lib/hydra-firstboot/done
summary=$work/summary.txt
{
  echo "first boot: ${firstboot_s}s; $(cat "$done_file" 2>/dev/null || echo "no done stamp: $(cat "$root/var/lib/hydra-firstboot/failed" 2>/dev/null || echo unfinished)")"
  for f in "$root"/var/lib/hydra-firstboot/state/*.done; do
    [ -e "$f" ] || continue
    s=$(basename "$f" .done)
    printf '  stamp %-24s %s\n' "$s" "$(date -u -r "$f" +%H:%M:%S)"
  done
} > "$summary"

check "done stamp holds the pin" grep -q "^$pin " "$done_file"
if [ ! -e "$done_file" ]; then
  # Nothing else can hold: show where first boot stopped instead of waiting for a Hydra that is not there.
  failed=$(sed -n 's/.*(see \(\/var\/log\/hydra-firstboot\/[^)]*\.log\)).*/\1/p' \
    "$root/var/lib/hydra-firstboot/failed" 2>/dev/null || true)
  last_log=${failed:-$(find "$root/var/log/hydra-firstboot" -name '[0-9]*.log' 2>/dev/null | sort | tail -n 1)}
  last_log=${last_log#"$root"}
  if [ -n "$last_log" ]; then
    echo "last lines of $last_log:"
    tail -n 30 "$root$last_log" | sed 's/^/    /'
  fi
  cat "$summary"
  echo "total: $(( $(date +%s) - t0 ))s; first boot did not finish"
  exit 1
fi
front=$(http GET /)
check "Hydra answers on :3000 ($(cut -c1-3 <<<"$front"))" [ "${front%% *}" = 200 ]
password=$(cat "$root/root/hydra-admin-password" 2>/dev/null || true)
login=$(http POST /login "$(jq -cn --arg u "$admin" --arg p "$password" '{username: $u, password: $p}')")
logged_in() { [ "${login%% *}" = 200 ] && jq -e --arg u "$admin" '.username == $u' <<<"${login#* }" >/dev/null; }
check "admin $admin logs in with /root/hydra-admin-password (${login%% *})" logged_in
wrong=$(http POST /login "$(jq -cn --arg u "$admin" '{username: $u, password: "not-the-password"}')")
check "a wrong password is refused (${wrong%% *})" [ "${wrong%% *}" = 403 ]

# Each jobset the image asked for: its first evaluation's builds finish, succeed, and their outputs are in the store.
jobsets=$root/etc/hydra-firstboot/jobsets
while read -r name type value _; do
  case "$name" in ''|'#'*) continue ;; esac
  deadline=$(( $(date +%s) + 1200 ))
  builds='[]'
  while [ "$(date +%s)" -lt "$deadline" ]; do
    r=$(http GET "/api/latestbuilds?nr=10&project=$name&jobset=$name")
    if [ "${r%% *}" = 200 ] && [ "$(jq 'length' <<<"${r#* }")" -gt 0 ]; then builds=${r#* }; break; fi
    sleep 10
  done
  check "jobset $name:$name ($type $value) built something" [ "$(jq length <<<"$builds")" -gt 0 ]
  for id in $(jq -r '.[].id' <<<"$builds"); do
    b=$(http GET "/build/$id")
    status=$(jq -r '.buildstatus' <<<"${b#* }" 2>/dev/null || echo "?")
    job=$(jq -r '.job' <<<"${b#* }" 2>/dev/null || echo "?")
    check "build $id ($name:$name:$job) succeeded (buildstatus $status)" [ "$status" = 0 ]
    while read -r out; do
      [ -n "$out" ] || continue
      check "  output $out is in the store" test -e "$root$out"
      if [ -f "$root$out" ]; then printf '        content: %s\n' "$(head -c 200 "$root$out")"; fi
    done < <(jq -r '.buildoutputs[]?.path' <<<"${b#* }" 2>/dev/null || true)
    # The jobset's page lists its evaluations and loads its Jobs tab lazily, from jobs-tab, as a browser does.
    page=$(curl -sS --max-time 60 -H 'Accept: text/html' "http://127.0.0.1:3000/jobset/$name/$name" || true)
    jobs=$(curl -sS --max-time 60 -H 'Accept: text/html' "http://127.0.0.1:3000/jobset/$name/$name/jobs-tab" || true)
    check "  the jobset's page lists an evaluation" grep -q "/eval/[0-9]" <<<"$page"
    check "  the jobset's Jobs tab links build $id of job $job" grep -q "/build/${id}[^0-9]" <<<"$jobs"
  done
done < <(cat "$jobsets" 2>/dev/null || true)

# ---- second boot: Hydra comes back, first boot does not run again -------------------------------------------------
log "powering off; second boot"
nspawn_stop
fb_log=$root/var/log/hydra-firstboot/firstboot.log
fb_size=$(stat -c %s "$fb_log" 2>/dev/null || echo 0)
done_mtime=$(stat -c %Y "$done_file" 2>/dev/null || echo 0)
: > "$console.2"
console=$console.2
nspawn_boot "$console"
up=0
for _ in $(seq 120); do
  # Refused connections are expected until the units are up: no message for them.
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:3000/ || true)" = 200 ]; then
    up=1
    break
  fi
  sleep 5
done
check "second boot: Hydra answers on :3000 again" [ "$up" = 1 ]
check "second boot: first boot did not run again" [ "$(stat -c %s "$fb_log" 2>/dev/null || echo 0)" = "$fb_size" ]
check "second boot: the done stamp is untouched" [ "$(stat -c %Y "$done_file" 2>/dev/null || echo 0)" = "$done_mtime" ]
login2=$(http POST /login "$(jq -cn --arg u "$admin" --arg p "$password" '{username: $u, password: $p}')")
check "second boot: admin logs in" [ "${login2%% *}" = 200 ]
nspawn_stop

cat "$summary"
echo "total: $(( $(date +%s) - t0 ))s, $fails failed check(s)"
[ "$fails" = 0 ]
