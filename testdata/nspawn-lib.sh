# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Booting a hydrapi-built image's root under a real systemd with systemd-nspawn, for firstboot-e2e.sh and
# cloud-init-boot.sh (sourced). The disk is decoded sparse, grown to a card's size and its root partition and
# filesystem grown into it, as Raspberry Pi OS does on its first boot (nspawn runs neither an initramfs nor
# raspberrypi-sys-mods); the root is loop-mounted, the boot partition copied out with mtools (no vfat in this kernel)
# and bound where fstab mounts it. The container shares the host's network: apt reaches Debian's archive, and its
# ports are the host's. Everything lives below $work; nspawn_cleanup undoes it all, also after Ctrl-C.
#
# The caller sets: work (a directory), card (a size for truncate, e.g. 16G), keep (0 or 1).
# nspawn_prepare IMAGE sets: disk, root, boot, loop. nspawn_boot LOG starts the container (nspawn_pid).
# shellcheck disable=SC2154 # work, card and keep are the caller's

loop=
nspawn_pid=
t0=${t0:-$(date +%s)}

log() { printf '[%5ds] %s\n' "$(( $(date +%s) - t0 ))" "$*" >&2; }

nspawn_require() {
  [ "$(id -u)" = 0 ] || { echo "$0: needs root (loop mounts, systemd-nspawn)" >&2; exit 2; }
  local tool
  for tool in systemd-nspawn losetup sfdisk e2fsck resize2fs mcopy xz curl jq; do
    command -v "$tool" >/dev/null || { echo "$0: $tool missing" >&2; exit 2; }
  done
}

nspawn_prepare() {
  local image=$1 p1_start p2_start p2_size
  export LC_ALL=C MTOOLS_SKIP_CHECK=1
  disk=$work/disk.img
  root=$work/root
  boot=$work/boot
  log "decoding $image"
  xz -dc "$image" | dd of="$disk" bs=1M conv=sparse status=none
  truncate -s "$card" "$disk"
  echo ", +" | sfdisk --quiet --no-reread --no-tell-kernel -N 2 "$disk"
  read -r p1_start _ < <(sfdisk -d "$disk" | sed -n 's/.*: start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p' | sed -n 1p)
  read -r p2_start p2_size < <(sfdisk -d "$disk" | sed -n 's/.*: start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p' | sed -n 2p)
  loop=$(losetup --find --show --offset $((p2_start * 512)) --sizelimit $((p2_size * 512)) "$disk")
  e2fsck -fp "$loop" >/dev/null
  resize2fs "$loop" >/dev/null 2>&1
  mkdir -p "$root" "$boot"
  mount "$loop" "$root"
  log "card $card, root filesystem grown to $(df -h --output=size "$root" | tail -n 1 | tr -d ' ')"
  mcopy -s -n -i "$disk@@$((p1_start * 512))" '::/*' "$boot/"
}

nspawn_boot() {
  local console=$1
  systemd-nspawn --boot --register=no --keep-unit --quiet --console=pipe -D "$root" \
    --bind="$boot:/boot/firmware" </dev/null >>"$console" 2>&1 &
  nspawn_pid=$!
}

# SIGTERM to nspawn powers the container off (its --kill-signal is SIGRTMIN+3 under --boot); SIGKILL if it hangs.
nspawn_stop() {
  [ -n "$nspawn_pid" ] || return 0
  if kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid"
    for _ in $(seq 120); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$nspawn_pid" 2>/dev/null; then
      log "container did not power off in 120 s; killing it"
      kill -KILL "$nspawn_pid"
    fi
  fi
  wait "$nspawn_pid" || true
  nspawn_pid=
}

nspawn_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  nspawn_stop
  if [ -n "${root:-}" ] && mountpoint -q "$root"; then umount "$root" || umount -l "$root"; fi
  if [ -n "$loop" ]; then losetup -d "$loop" || log "losetup -d $loop failed"; fi
  if [ "${keep:-0}" = 0 ]; then
    rm -rf --one-file-system "$work"
  else
    log "kept $work"
  fi
  exit "$rc"
}

nspawn_traps() {
  trap nspawn_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

fails=0
check() {  # NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then printf '  ok    %s\n' "$name"; else printf '  FAIL  %s\n' "$name"; fails=$((fails + 1)); fi
}
