#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots an image of a trixie root with Debian's cloud-init and NoCloud seeds on its boot partition (made by
# make-debian-pi-image.sh STYLE=trixie-cloudinit) under a real systemd (systemd-nspawn, see nspawn-lib.sh), lets its
# first boot run, powers it off and reports what the image became, from its disk:
#   host name, whether a user named in the seeds exists, whether the seeds' runcmd ran, the admin's authorized_keys,
#   whether hydrapi's first-boot service started, the SSH host keys the Pi made and whether sshd answered.
# With --expect seeds, every check expects cloud-init to have applied the seeds (the base, as Raspberry Pi ships it);
# with --expect hydrapi, hydrapi's host name, admin and first-boot service, and no trace of the seeds.
#
# usage: testdata/cloud-init-boot.sh IMAGE.img.xz --expect seeds|hydrapi --seed-host NAME --seed-user NAME
#          [--host NAME --admin NAME --key FILE] [--work DIR] [--seconds N] [--keep]
set -Eeuo pipefail

image='' expect='' seed_host='' seed_user='' host='' admin='' key='' work='' seconds=240 keep=0 card=4G
while [ "$#" -gt 0 ]; do
  case "$1" in
    --expect) expect=$2; shift 2 ;;
    --seed-host) seed_host=$2; shift 2 ;;
    --seed-user) seed_user=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --admin) admin=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -*) echo "cloud-init-boot.sh: unknown option $1" >&2; exit 2 ;;
    *) image=$1; shift ;;
  esac
done
case "$expect" in seeds|hydrapi) ;; *) echo "cloud-init-boot.sh: --expect seeds|hydrapi" >&2; exit 2 ;; esac
if [ -z "$image" ] || [ -z "$seed_host" ] || [ -z "$seed_user" ]; then
  echo "cloud-init-boot.sh: IMAGE, --seed-host and --seed-user are required" >&2
  exit 2
fi
if [ "$expect" = hydrapi ] && { [ -z "$host" ] || [ -z "$admin" ] || [ -z "$key" ]; }; then
  echo "cloud-init-boot.sh: --expect hydrapi needs --host, --admin and --key" >&2
  exit 2
fi
# shellcheck source-path=SCRIPTDIR source=nspawn-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/nspawn-lib.sh"
nspawn_require
if (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null; then
  echo "cloud-init-boot.sh: something already listens on port 22; the container's sshd shares this network" >&2
  exit 2
fi
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/hydrapi-cloud-init.XXXXXX")}
mkdir -p "$work"
nspawn_traps
nspawn_prepare "$image"

# The first boot is over for this check once the seeds' runcmd ran (cloud-final) or hydrapi's service logged its
# first stage, and sshd answers; bounded by --seconds either way.
log "booting (expecting $expect)"
nspawn_boot "$work/console.log"
ssh_banner=
deadline=$(( $(date +%s) + seconds ))
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$nspawn_pid" 2>/dev/null; do
  if [ -z "$ssh_banner" ]; then
    ssh_banner=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/22 && head -c 40 <&3' 2>/dev/null | tr -d '\r\n' || true)
  fi
  if [ -n "$ssh_banner" ] && { [ -e "$root/var/tmp/cloud-init-ran" ] \
       || grep -qs 'hydra-firstboot: stage 1/' "$root/var/log/hydra-firstboot/firstboot.log"; }; then
    sleep 5
    break
  fi
  sleep 3
done
log "powering off"
nspawn_stop

hostname=$(cat "$root/etc/hostname" 2>/dev/null || echo "?")
echo "after first boot: /etc/hostname=$hostname; ssh answered: ${ssh_banner:-no}"
has_user() { grep -q "^$1:" "$root/etc/passwd"; }
if [ "$expect" = seeds ]; then
  check "cloud-init set the seeds' host name ($seed_host)" [ "$hostname" = "$seed_host" ]
  check "cloud-init made the seeds' user $seed_user" has_user "$seed_user"
  check "the seeds' runcmd ran" test -e "$root/var/tmp/cloud-init-ran"
else
  check "the host name is hydrapi's ($host)" [ "$hostname" = "$host" ]
  check "no user $seed_user from the seeds" bash -c "! grep -q '^$seed_user:' '$root/etc/passwd'"
  check "the seeds' runcmd did not run" test ! -e "$root/var/tmp/cloud-init-ran"
  check "cloud-init stayed off (/etc/cloud/cloud-init.disabled, no /var/lib/cloud/instance)" \
    bash -c "test -e '$root/etc/cloud/cloud-init.disabled' && test ! -e '$root/var/lib/cloud/instance'"
  check "admin $admin exists with a login shell" grep -q "^$admin:x:[0-9]*:[0-9]*:[^:]*:/home/$admin:/bin/bash$" "$root/etc/passwd"
  check "admin's authorized_keys is the key given" cmp -s "$key" "$root/home/$admin/.ssh/authorized_keys"
  check "hydrapi's first-boot service ran" grep -qs 'hydra-firstboot: stage 1/' "$root/var/log/hydra-firstboot/firstboot.log"
fi
check "the Pi made its own SSH host keys" test -s "$root/etc/ssh/ssh_host_ed25519_key"
check "sshd answered on port 22" grep -q '^SSH-2.0-' <<<"$ssh_banner"
echo "$fails failed check(s)"
[ "$fails" = 0 ]
