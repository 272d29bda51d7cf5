#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots a fleet, a Hydra server image and a builder image built by hydrapi with `build --fleet DIR --role NAME`, each
# under a real systemd (systemd-nspawn --boot, see nspawn-lib.sh) in a network namespace of its own, and judges it
# from outside with the systems' own answers (systemctl, journalctl, psql, nix-store, curl) and openssl:
#   1. both first boots end with their done stamp;
#   2. the server's Hydra answers on :3000 and each jobset's first build succeeded, its output in the server's store;
#   3. the build ran on the builder: the output is in the builder's store, and Hydra's BuildSteps.machine and the
#      queue runner's journal name the builder's nix-ssh@NAME.local;
#   4. the builder runs no Hydra and has no hydra database, and its nix-ssh login runs nix-store --serve only;
#   5. the server's binary-cache key: the image held no secret, the public half is on the boot partition, and the
#      narinfo that Hydra serves on :3000 is signed by it (checked with openssl, over Nix's fingerprint), its NAR
#      hashing to the NarHash it claims;
#   6. the builder, as a client, substitutes the deleted output from the server's cache with that key, and refuses
#      it with a key made on the spot, also when that key bears the server key's name.
# Prints a summary; exit 0 only when every check held.
#
# The network: each container is in its own namespace (two sshd on :22, Hydra's :3000, two PostgreSQL), joined to
# the other by a veth pair with addresses from the loopback range, 127.77.0.1 (server) and 127.77.0.2 (builder), so
# nothing can reach or leak to a real network (how the kernel is made to route them: netns_link in nspawn-lib.sh).
# Neither namespace has a default route: apt cannot run, so the base must already hold every package of the pin's
# list (make-debian-pi-image.sh with EXTRA_PACKAGES, docs/first-boot-observed.md). On a real LAN, Raspberry Pi OS
# answers NAME.local through avahi (mDNS); the containers run no avahi, and the harness writes each machine's
# NAME.local and the peer's NAME into its /etc/hosts before boot, a stand-in for mDNS.
#
# --net-only IMAGE boots two copies of a plain image (make-debian-pi-image.sh) named hydra-srv and nix-bld1 and runs
# only the network checks: the plumbing, without hydrapi's fleet images.
# Needs root, systemd-nspawn, losetup, sfdisk, e2fsck, resize2fs, mtools, xz, curl, jq, ip (iproute2), nsenter,
# ps, openssl, xxd and bzip2. Everything it makes lives below --work and is removed on exit, also on Ctrl-C (--keep leaves
# the files; the namespaces, veth, loop devices, mounts and containers always go).
#
# usage: testdata/fleet-e2e.sh SERVER.img.xz BUILDER.img.xz [--work DIR] [--card-size SIZE] [--timeout SECONDS]
#          [--keep]
#        testdata/fleet-e2e.sh --net-only IMAGE.img.xz [--work DIR] [--keep]
set -Eeuo pipefail

images=()
work=
card=16G
timeout_s=5400
keep=0
net_only=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --card-size) card=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --net-only) net_only=1; shift ;;
    -*) echo "fleet-e2e.sh: unknown option $1" >&2; exit 2 ;;
    *) images+=("$1"); shift ;;
  esac
done
if [ "$net_only" = 1 ]; then
  [ "${#images[@]}" = 1 ] || { echo "usage: fleet-e2e.sh --net-only IMAGE.img.xz [--work DIR] [--keep]" >&2; exit 2; }
  images+=("${images[0]}")
elif [ "${#images[@]}" != 2 ]; then
  echo "usage: fleet-e2e.sh SERVER.img.xz BUILDER.img.xz [--work DIR] [--card-size SIZE] [--timeout S] [--keep]" >&2
  exit 2
fi
# shellcheck source-path=SCRIPTDIR source=nspawn-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/nspawn-lib.sh"
nspawn_require
for tool in ip nsenter ps openssl xxd bzip2; do
  command -v "$tool" >/dev/null || { echo "fleet-e2e.sh: $tool missing" >&2; exit 2; }
done
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/hydrapi-fleet-e2e.XXXXXX")}
mkdir -p "$work"
nspawn_traps

# ---- the two machines and their network -----------------------------------------------------------------------
declare -A addr=([srv]=127.77.0.1 [bld]=127.77.0.2)
declare -A peer=([srv]=bld [bld]=srv)
declare -A name=()
declare -A pin=()
declare -A ns=([srv]="hydrapi-$$-srv" [bld]="hydrapi-$$-bld")
no_secret_before_boot=0
declare -A image=([srv]=${images[0]} [bld]=${images[1]})
for m in srv bld; do
  machine_prepare "$m" "${image[$m]}" "$work/$m"
done
srv_root=${m_root[srv]}
bld_root=${m_root[bld]}
if [ "$net_only" = 1 ]; then
  echo hydra-srv > "$srv_root/etc/hostname"
  echo nix-bld1 > "$bld_root/etc/hostname"
fi
for m in srv bld; do
  name[$m]=$(cat "${m_root[$m]}/etc/hostname")
  [ "$net_only" = 1 ] && continue
  config=${m_root[$m]}/etc/hydra-firstboot/config.env
  [ -r "$config" ] || { echo "fleet-e2e.sh: ${image[$m]} has no /etc/hydra-firstboot/config.env (not a hydrapi image)" >&2; exit 2; }
  role=$(sed -n "s/^ROLE='\(.*\)'$/\1/p" "$config")
  want=$([ "$m" = srv ] && echo server || echo builder)
  [ "$role" = "$want" ] || { echo "fleet-e2e.sh: the $want image's config.env says ROLE='$role'" >&2; exit 2; }
  pin[$m]=$(sed -n "s/^PIN='\(.*\)'$/\1/p" "$config")
done
[ "${name[srv]}" != "${name[bld]}" ] || { echo "fleet-e2e.sh: both images are named ${name[srv]}" >&2; exit 2; }
if [ "$net_only" = 0 ]; then
  # The cache's secret key must be made on the Pi: an image holding it would hand it to whoever gets the image.
  if [ ! -e "$srv_root/etc/nix/hydra-cache.sec" ] && [ ! -e "${m_boot[srv]}/hydra-cache.sec" ]; then
    no_secret_before_boot=1
  fi
  log "server ${name[srv]}: /etc/nix/machines: $(grep -v '^#' "$srv_root/etc/nix/machines" 2>/dev/null | paste -sd '|' || echo missing)"
fi

netns_add "${ns[srv]}"
netns_add "${ns[bld]}"
netns_link "${ns[srv]}" "hpe$$s" "${addr[srv]}" "${ns[bld]}" "hpe$$b" "${addr[bld]}"
for m in srv bld; do
  m_netns[$m]=${ns[$m]}
  # Stands in for avahi: on a LAN each Pi answers NAME.local for itself, and the peer's mDNS answer gives its address.
  printf '\n# fleet-e2e.sh: stands in for mDNS (avahi) in a test container\n%s\t%s.local\n%s\t%s %s.local\n' \
    "${addr[$m]}" "${name[$m]}" "${addr[${peer[$m]}]}" "${name[${peer[$m]}]}" "${name[${peer[$m]}]}" \
    >> "${m_root[$m]}/etc/hosts"
done

indent() { sed 's/^/        /'; }
lacks_line() {  # TEXT LINE...: none of the lines is a whole line of TEXT
  local text=$1 l
  shift
  for l in "$@"; do if grep -qxF "$l" <<<"$text"; then return 1; fi; done
}
both_equal() { [ "$1" = "$2" ] && [ "$3" = "$4" ]; }
absent_with_key() { [ -n "$1" ] && [ ! -e "$2" ]; }  # KEY PATH: a real key was tried, and PATH is not there

# Runs a command in machine M's container with a clean environment (none of the host's variables).
in_m() {
  local m=$1
  shift
  machine_exec "$m" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@" \
    </dev/null
}

# ---- boot both --------------------------------------------------------------------------------------------------
for m in srv bld; do
  log "booting ${name[$m]} (${addr[$m]}, netns ${ns[$m]}; console $work/$m/console.log)"
  machine_boot "$m" "$work/$m/console.log"
done

finished() {  # M: first boot ended, either way
  [ -e "${m_root[$1]}/var/lib/hydra-firstboot/done" ] || [ -e "${m_root[$1]}/var/lib/hydra-firstboot/failed" ]
}
boot_s=
if [ "$net_only" = 1 ]; then
  for _ in $(seq 60); do
    if in_m srv systemctl is-active --quiet ssh 2>/dev/null && in_m bld systemctl is-active --quiet ssh 2>/dev/null; then
      break
    fi
    sleep 2
  done
else
  log "first boots of pins ${pin[srv]} and ${pin[bld]} (logs: /var/log/hydra-firstboot in each root; timeout ${timeout_s}s)"
  declare -A last=([srv]='' [bld]='')
  declare -A took=()
  while :; do
    for m in srv bld; do
      if [ -z "${took[$m]:-}" ] && finished "$m"; then
        took[$m]=$(( $(date +%s) - t0 ))
        log "${name[$m]}: first boot ended: $(cat "${m_root[$m]}/var/lib/hydra-firstboot/done" \
          "${m_root[$m]}/var/lib/hydra-firstboot/failed" 2>/dev/null | head -n 1)"
      fi
      line=$(grep -a 'hydra-firstboot: stage [0-9]*/' "${m_root[$m]}/var/log/hydra-firstboot/firstboot.log" 2>/dev/null \
        | tail -n 1 | sed 's/.*hydra-firstboot: //' || true)
      if [ -n "$line" ] && [ "$line" != "${last[$m]}" ]; then log "${name[$m]}: $line"; last[$m]=$line; fi
    done
    if finished srv && finished bld; then break; fi
    # One that failed leaves no fleet to judge: do not wait hours for the other.
    if [ -e "$srv_root/var/lib/hydra-firstboot/failed" ] || [ -e "$bld_root/var/lib/hydra-firstboot/failed" ]; then break; fi
    if ! machine_running srv || ! machine_running bld; then log "a container stopped before first boot ended"; break; fi
    if [ $(( $(date +%s) - t0 )) -gt "$timeout_s" ]; then log "timeout after ${timeout_s}s"; break; fi
    sleep 5
  done
  boot_s=$(( $(date +%s) - t0 ))
fi

summary=$work/summary.txt
: > "$summary"
for m in srv bld; do
  [ "$net_only" = 0 ] || continue
  state=${m_root[$m]}/var/lib/hydra-firstboot
  {
    echo "${name[$m]}: first boot ${took[$m]:-unfinished after $boot_s}s; $(cat "$state/done" 2>/dev/null \
      || echo "no done stamp: $(cat "$state/failed" 2>/dev/null || echo unfinished)")"
    for f in "$state"/state/*.done; do
      [ -e "$f" ] || continue
      printf '  stamp %-24s %s\n' "$(basename "$f" .done)" "$(date -u -r "$f" +%H:%M:%S)"
    done
  } >> "$summary"
done

# ---- the network ------------------------------------------------------------------------------------------------
echo "network:"
for m in srv bld; do
  check "${name[$m]}: its namespace has no default route (nothing leaves the test)" \
    test -z "$(ip -n "${ns[$m]}" route show default)"
done
keyscan() {  # FROM TO: the ed25519 host key that TO's sshd shows FROM, asked by TO's NAME.local
  in_m "$1" ssh-keyscan -T 10 -t ed25519 "${name[$2]}.local" 2>/dev/null | awk '$2 == "ssh-ed25519" { print $3 }'
}
bld_hostkey=$(keyscan srv bld || true)
check "${name[srv]} reaches ${name[bld]}.local's sshd at ${addr[bld]}" test -n "$bld_hostkey"
if [ "$net_only" = 1 ]; then
  check "${name[bld]} reaches ${name[srv]}.local's sshd at ${addr[srv]}" test -n "$(keyscan bld srv || true)"
fi
host_cannot_reach() { ! timeout 5 bash -c "exec 3<>/dev/tcp/$1/22" 2>/dev/null; }
for m in srv bld; do check "the host's network does not reach ${addr[$m]}:22" host_cannot_reach "${addr[$m]}"; done

if [ "$net_only" = 1 ]; then
  echo "total: $(( $(date +%s) - t0 ))s, $fails failed check(s)"
  [ "$fails" = 0 ]
  exit
fi

# ---- 1. first boots ---------------------------------------------------------------------------------------------
echo "first boots:"
for m in srv bld; do
  check "${name[$m]}: done stamp holds the pin ${pin[$m]}" grep -q "^${pin[$m]} " "${m_root[$m]}/var/lib/hydra-firstboot/done"
done
if [ ! -e "$srv_root/var/lib/hydra-firstboot/done" ] || [ ! -e "$bld_root/var/lib/hydra-firstboot/done" ]; then
  # Nothing else can hold: show where first boot stopped instead of waiting for a fleet that is not there.
  for m in srv bld; do
    [ ! -e "${m_root[$m]}/var/lib/hydra-firstboot/done" ] || continue
    failed=$(sed -n 's/.*(see \(\/var\/log\/hydra-firstboot\/[^)]*\.log\)).*/\1/p' \
      "${m_root[$m]}/var/lib/hydra-firstboot/failed" 2>/dev/null || true)
    last_log=${failed:-$(find "${m_root[$m]}/var/log/hydra-firstboot" -name '[0-9]*.log' 2>/dev/null | sort | tail -n 1)}
    last_log=${last_log#"${m_root[$m]}"}
    if [ -n "$last_log" ]; then
      echo "${name[$m]}: last lines of $last_log:"
      tail -n 30 "${m_root[$m]}$last_log" | sed 's/^/    /'
    fi
  done
  cat "$summary"
  echo "total: $(( $(date +%s) - t0 ))s; first boot did not finish"
  exit 1
fi

# ---- 2. the server's Hydra and its builds -----------------------------------------------------------------------
http() {  # METHOD PATH -> prints "CODE BODY"; from the server's own namespace, as firstboot-e2e.sh asks it
  local body code
  body=$(mktemp -p "$work")
  code=$(ip netns exec "${ns[srv]}" curl -sS --max-time 60 -o "$body" -w '%{http_code}' -X "$1" \
    -H 'Accept: application/json' "http://127.0.0.1:3000$2" || true)
  printf '%s %s' "${code:-000}" "$(cat "$body")"
  rm -f "$body"
}
echo "server ${name[srv]}:"
front=$(http GET /)
check "Hydra answers on :3000 ($(cut -c1-3 <<<"$front"))" [ "${front%% *}" = 200 ]
outs=()
ids=()
while read -r jobset type value _; do
  case "$jobset" in ''|'#'*) continue ;; esac
  deadline=$(( $(date +%s) + 1800 ))
  builds='[]'
  while [ "$(date +%s)" -lt "$deadline" ]; do
    r=$(http GET "/api/latestbuilds?nr=10&project=$jobset&jobset=$jobset")
    if [ "${r%% *}" = 200 ] && [ "$(jq 'length' <<<"${r#* }")" -gt 0 ]; then builds=${r#* }; break; fi
    sleep 10
  done
  check "jobset $jobset:$jobset ($type $value) built something" [ "$(jq length <<<"$builds")" -gt 0 ]
  for id in $(jq -r '.[].id' <<<"$builds"); do
    ids+=("$id")
    b=$(http GET "/build/$id")
    status=$(jq -r '.buildstatus' <<<"${b#* }" 2>/dev/null || echo "?")
    job=$(jq -r '.job' <<<"${b#* }" 2>/dev/null || echo "?")
    check "build $id ($jobset:$jobset:$job) succeeded (buildstatus $status)" [ "$status" = 0 ]
    while read -r out; do
      [ -n "$out" ] || continue
      outs+=("$out")
      check "  output $out is in the server's store" test -e "$srv_root$out"
      if [ -f "$srv_root$out" ]; then printf '        content: %s\n' "$(head -c 200 "$srv_root$out")"; fi
    done < <(jq -r '.buildoutputs[]?.path' <<<"${b#* }" 2>/dev/null || true)
  done
done < <(cat "$srv_root/etc/hydra-firstboot/jobsets" 2>/dev/null || true)
check "the jobsets' builds have outputs to follow" [ "${#outs[@]}" -gt 0 ]

# ---- 3. the build ran on the builder ----------------------------------------------------------------------------
remote=nix-ssh@${name[bld]}.local
echo "the builds ran on ${name[bld]}:"
for out in "${outs[@]}"; do
  check "output $out is in the builder's store" test -e "$bld_root$out"
done
for id in "${ids[@]}"; do
  machines_used=$(in_m srv runuser -u postgres -- psql -X -d hydra -tAc \
    "select string_agg(distinct machine, ' ') from buildsteps where build = $id" 2>&1 || true)
  check "Hydra's BuildSteps of build $id name $remote (${machines_used:-none})" [ "$machines_used" = "$remote" ]
done
# The queue runner logs each attempt ("performing step ... on 'MACHINE'") and each failure, not a success: the last
# attempt must be on the builder, with no failure there (a refused SSH login is retried on localhost).
qr_log=$(in_m srv journalctl -u hydra-queue-runner.service --no-pager -o cat 2>/dev/null || true)
last_step=$(grep 'performing step' <<<"$qr_log" | tail -n 1 || true)
qr_failed=$(grep -F "$remote" <<<"$qr_log" | grep -i 'fail\|disable' || true)
check "the queue runner's journal: its last step was on $remote" grep -qF "on ‘$remote’" <<<"$last_step"
check "  and no failure there" test -z "$qr_failed"
{ printf '%s\n' "$last_step"; [ -z "$qr_failed" ] || printf '%s\n' "$qr_failed"; } | sed '/^$/d' | head -n 4 \
  | cut -c1-200 | indent

# ---- 4. the builder is only a builder ---------------------------------------------------------------------------
echo "builder ${name[bld]}:"
hydra_units=$(in_m bld systemctl list-unit-files --no-legend 'hydra-*' 2>/dev/null \
  | awk '$1 !~ /^hydra-firstboot/ { print $1 }' | paste -sd ' ' || true)
check "no Hydra units (${hydra_units:-none})" test -z "$hydra_units"
check "no /var/lib/hydra" test ! -e "$bld_root/var/lib/hydra"
if in_m bld systemctl is-active --quiet postgresql.service; then
  dbs=$(in_m bld runuser -u postgres -- psql -X -tAc 'select datname from pg_database' 2>&1 || echo "psql failed")
  check "PostgreSQL has no hydra database ($(paste -sd ' ' <<<"$dbs"))" lacks_line "$dbs" hydra "psql failed"
else
  check "PostgreSQL is not running (so no hydra database)" true
fi
check "the builder's sshd shows the host key ${name[srv]} pins for ${name[bld]}.local" \
  grep -qF "ssh-ed25519 $bld_hostkey" "$srv_root/etc/ssh/ssh_known_hosts"
qr_key=$(awk -v r="$remote" '$1 == r { print $3; exit }' "$srv_root/etc/nix/machines" 2>/dev/null || true)
accepted() { in_m bld journalctl --no-pager -o cat 2>/dev/null | grep -c "Accepted publickey for nix-ssh " || true; }
before=$(accepted)
said=$(in_m srv runuser -u hydra-queue-runner -- timeout 60 ssh -o BatchMode=yes -i "${qr_key:-/nonexistent}" \
  "$remote" echo hi </dev/null 2>&1 || true)
after=$(accepted)
check "nix-ssh took the queue runner's key ($before then $after logins accepted)" [ "$after" -gt "$before" ]
check "  but ran no shell command: 'echo hi' did not print hi" lacks_line "$said" hi

# ---- 5. the server's binary cache and its key -------------------------------------------------------------------
echo "binary cache:"
pub_boot=$(tr -d '\n' 2>/dev/null < "${m_boot[srv]}/hydra-cache.pub" || true)
pub_etc=$(tr -d '\n' 2>/dev/null < "$srv_root/etc/nix/hydra-cache.pub" || true)
key_name=${pub_boot%%:*}
b64len() { base64 -d 2>/dev/null <<<"$1" | wc -c; }
check "the image held no /etc/nix/hydra-cache.sec before its first boot" [ "$no_secret_before_boot" = 1 ]
check "the boot partition has the public key ($pub_boot)" [ "$key_name" = "${name[srv]}-1" ]
same_nonempty() { [ -n "$1" ] && [ "$1" = "$2" ]; }
check "  it is the server's /etc/nix/hydra-cache.pub" same_nonempty "$pub_boot" "$pub_etc"
check "  it is a public key only: 32 bytes, not the 64 of a secret" [ "$(b64len "${pub_boot#*:}")" = 32 ]
no_secret_in() { ! grep -rlsq '^[^:]*:[A-Za-z0-9+/]\{86\}==' "$1"; }  # NAME:base64(64 bytes)
check "  no secret on the boot partition" no_secret_in "${m_boot[srv]}"
sec_stat=$(in_m srv stat -c '%a %U:%G' /etc/nix/hydra-cache.sec 2>/dev/null || echo missing)
check "/etc/nix/hydra-cache.sec is 0440 root:hydra ($sec_stat)" [ "$sec_stat" = "440 root:hydra" ]
sec=$(tr -d '\n' 2>/dev/null < "$srv_root/etc/nix/hydra-cache.sec" || true)
sec_pub=$(base64 -d 2>/dev/null <<<"${sec#*:}" | tail -c 32 | base64 -w0 || true)
check "  its public half is the published key" [ "${sec%%:*}:$sec_pub" = "$pub_boot" ]

cache=http://${name[srv]}.local:3000
info=$(in_m bld curl -sS --max-time 30 "$cache/nix-cache-info" 2>&1 || true)
check "${name[bld]} fetches $cache/nix-cache-info ($(paste -sd ' ' <<<"$info" | cut -c1-80))" grep -qx 'StoreDir: /nix/store' <<<"$info"

# Nix's base32 (libutil/hash.cc printHash32): 5-bit groups from the end of the hash, its own alphabet.
nix32() {
  local hex=$1 chars=0123456789abcdfghijklmnpqrsvwxyz out='' n b i j c bytes=()
  for ((i = 0; i < ${#hex}; i += 2)); do bytes+=($((16#${hex:i:2}))); done
  for ((n = (${#bytes[@]} * 8 - 1) / 5; n >= 0; n--)); do
    b=$((n * 5)) i=$((b / 8)) j=$((b % 8))
    c=$((bytes[i] >> j))
    if [ $((i + 1)) -lt "${#bytes[@]}" ]; then c=$((c | bytes[i + 1] << (8 - j))); fi
    out+=${chars:$((c & 31)):1}
  done
  echo "$out"
}
field() { sed -n "s/^$1: //p" <<<"$2" | head -n 1; }
verify_sig() {  # PUBLIC-KEY-BASE64 SIGNATURE-BASE64 FINGERPRINT: openssl's Ed25519 verdict
  local d
  d=$(mktemp -d -p "$work")
  # A raw Ed25519 public key in DER SubjectPublicKeyInfo: the fixed 12-byte prefix (RFC 8410), then the 32 bytes.
  { printf '302a300506032b6570032100' | xxd -r -p; base64 -d <<<"$1"; } > "$d/pub.der"
  base64 -d <<<"$2" > "$d/sig"
  printf '%s' "$3" > "$d/fp"
  openssl pkeyutl -verify -pubin -inkey "$d/pub.der" -keyform DER -rawin -in "$d/fp" -sigfile "$d/sig" >/dev/null 2>&1
  local rc=$?
  rm -rf "$d"
  return "$rc"
}
verify_sig_fails() { ! verify_sig "$@"; }
for out in "${outs[@]}"; do
  hash=$(basename "$out" | cut -c1-32)
  narinfo=$(in_m bld curl -sS --max-time 30 "$cache/$hash.narinfo" 2>&1 || true)
  check "${name[bld]} fetches $hash.narinfo for $out" [ "$(field StorePath "$narinfo")" = "$out" ]
  indent <<<"$narinfo"
  sig=$(field Sig "$narinfo")
  nar_hash=$(field NarHash "$narinfo")
  nar_size=$(field NarSize "$narinfo")
  # The fingerprint takes the hash in base32 and the references as full store paths (Nix/Manifest.pm fingerprintPath).
  if [ "${#nar_hash}" = 71 ]; then nar_hash=sha256:$(nix32 "${nar_hash#sha256:}"); fi
  refs=$(field References "$narinfo" | tr ' ' '\n' | sed '/^$/d; s|^|/nix/store/|' | paste -sd ,)
  fp="1;$out;$nar_hash;$nar_size;$refs"
  check "  signed by ${sig%%:*}, the published key's name" [ "${sig%%:*}" = "$key_name" ]
  check "  openssl: the signature verifies with the published key over '$fp'" \
    verify_sig "${pub_boot#*:}" "${sig#*:}" "$fp"
  check "  openssl: and not over a fingerprint with another NarSize (the oracle can say no)" \
    verify_sig_fails "${pub_boot#*:}" "${sig#*:}" "1;$out;$nar_hash;$((nar_size + 1));$refs"
  # The NAR itself, as a client would download it: its hash and size are what the signed narinfo claims.
  url=$(field URL "$narinfo")
  in_m bld curl -sS --max-time 120 "$cache/$url" > "$work/nar.download" 2>/dev/null || true
  case "$(field Compression "$narinfo")" in
    bzip2) unpack=(bzip2 -dc) ;;
    xz) unpack=(xz -dc) ;;
    *) unpack=(cat) ;;
  esac
  got_hex=$("${unpack[@]}" < "$work/nar.download" 2>/dev/null | sha256sum | cut -c1-64 || true)
  got_hash=sha256:$(nix32 "$got_hex")
  got_size=$("${unpack[@]}" < "$work/nar.download" 2>/dev/null | wc -c || true)
  check "  its NAR ($url) hashes to NarHash and has NarSize bytes ($got_hash, $got_size)" \
    both_equal "$got_hash" "$nar_hash" "$got_size" "$nar_size"
done

# ---- 6. a client accepts the cache with its key, and only with it -----------------------------------------------
echo "${name[bld]} as a client of the cache:"
# Nix 1.11's substituter keeps what it learnt of a cache's narinfo, signer's name included, in binary-cache-v3.sqlite
# and trusts that later without checking the key again: each try starts without it.
substitute() {  # OUT PUBLIC-KEY
  in_m bld rm -f /nix/var/nix/binary-cache-v3.sqlite
  in_m bld timeout 600 nix-store -r "$1" --option binary-caches "$cache" --option signed-binary-caches '*' \
    --option binary-cache-public-keys "$2"
}
# Read back through the container: nspawn gives it a /tmp of its own, which the root on the host does not show.
in_m bld nix-store --generate-binary-cache-key other-1 /root/other-cache.sec /root/other-cache.pub >/dev/null 2>&1 || true
other_pub=$(in_m bld cat /root/other-cache.pub 2>/dev/null | tr -d '\n' || true)
for out in "${outs[@]}"; do
  deleted=$(in_m bld nix-store --delete "$out" 2>&1 || true)
  check "nix-store --delete $out on ${name[bld]}" test ! -e "$bld_root$out"
  if [ -e "$bld_root$out" ]; then indent <<<"$deleted"; fi
  # Another key, then that key under the server key's name: the second makes Nix check the signature itself, not
  # only the signer's name.
  for wrong in "$other_pub" "${other_pub:+$key_name:${other_pub#*:}}"; do
    said=$(substitute "$out" "$wrong" 2>&1 || true)
    check "  with the key $wrong it is not substituted" absent_with_key "$wrong" "$bld_root$out"
    grep -i 'signature\|signed\|key' <<<"$said" | sort -u | head -n 2 | cut -c1-200 | indent || true
  done
  said=$(substitute "$out" "$pub_boot" 2>&1 || true)
  check "  with the server's key it is substituted from $cache" test -e "$bld_root$out"
  if [ ! -e "$bld_root$out" ]; then tail -n 5 <<<"$said" | indent; fi
  check "  and is the server's bytes" diff -r "$srv_root$out" "$bld_root$out"
done

machine_stop srv bld
cat "$summary"
echo "total: $(( $(date +%s) - t0 ))s, $fails failed check(s)"
[ "$fails" = 0 ]
