#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 00 (hydra-first-boot.md §7): architecture, codename, disk and memory; refuses pins the Pi cannot run.
# Too little free space while the root can still grow is waiting, not failure (issue 18): Raspberry Pi OS grows its
# root to the card on first boot, so the stage exits 75 and systemd retries; it is fatal only once the root fills the
# card, and then says which card the pin needs.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: always-run

arch=$(dpkg --print-architecture)
codename=$(sed -n 's/^VERSION_CODENAME=//p' "$FB_ETC/os-release" 2>/dev/null | tr -d '"' || true)
log "architecture $arch, codename ${codename:-unknown}, pin $(pin_string)"

# card_gb: the smallest card (as sold, in GB) on which Raspberry Pi OS Lite leaves need_kib free after its resize
# (README "First boot"): an 8 GB card holds about 7.4 GiB, of which the boot partition, the 5 % ext4 reserves for root
# and the Lite system take about 3.2 GiB.
if pin_is_legacy; then
  # Stock 993647d needs libpqxx 6 (parameterized()); trixie ships 7.10 (§0.2).
  [ "$codename" = bookworm ] || fatal "pin legacy-2016 needs bookworm (this is '${codename:-unknown}')"
  need_kib=$((8 * 1024 * 1024))
  card_gb=16
else
  # No armv6l/armv7l in the binary cache and no ARM32 installer (§0.7, §3.5); x86-64 Debian works alike (tests).
  [ "$arch" = arm64 ] || [ "$arch" = amd64 ] || fatal "pin modern needs a 64-bit OS (arm64); this is $arch"
  need_kib=$((4 * 1024 * 1024))
  card_gb=8
fi

# A test booting a small disk lowers this.
need_kib=${HYDRA_FIRSTBOOT_MIN_FREE_KIB:-$need_kib}
# df's "Available" leaves out the blocks ext4 reserves for root; its total is the filesystem less its metadata.
df_line=$(df -Pk "${R:-/}" | awk 'NR == 2 { print $2, $4 }')
read -r total_kib free_kib <<< "$df_line"
[[ "$total_kib$free_kib" =~ ^[0-9]+$ ]] || fatal "df -Pk ${R:-/} printed no sizes: '$df_line'"

SYSFS=${HYDRA_FIRSTBOOT_SYSFS:-$R/sys}
# Sets room_mib, the unpartitioned space after the root partition that a resize may still grow it into (0 when
# another partition, followed_by, comes after it: Raspberry Pi OS grows only a last one), part_mib and disk_sectors.
# Read from sysfs (Documentation/ABI/stable/sysfs-block: /sys/dev/block/MAJ:MIN is the device; a partition has the
# files "partition", "start" and "size", and its disk is its parent directory; sizes are 512-byte sectors whatever the
# device's block size). Returns 1 when / is not on a partition sysfs shows (a container, a network root).
root_geometry() {
  local devnum part disk start end_max other
  if ! devnum=$(findmnt -n -o MAJ:MIN --mountpoint "${R:-/}"); then
    log "findmnt does not show / as a mount; disk geometry unknown"
    return 1
  fi
  devnum=${devnum//[[:space:]]/}
  part=$(readlink -f "$SYSFS/dev/block/$devnum" || true)
  if [ -z "$part" ] || [ ! -r "$part/partition" ] || [ ! -r "$part/start" ] || [ ! -r "${part%/*}/size" ]; then
    log "/ ($devnum) is not a partition of a disk in $SYSFS; disk geometry unknown"
    return 1
  fi
  disk=${part%/*}
  start=$(< "$part/start")
  part_mib=$(( $(< "$part/size") / 2048 ))
  disk_sectors=$(< "$disk/size")
  # An MBR partition ends by sector 2^32-1, the cap of Raspberry Pi OS's resize too (sys-mods resize_early, 5c67317).
  end_max=$(( disk_sectors < 4294967296 ? disk_sectors : 4294967296 ))
  room_mib=$(( (end_max - start) / 2048 - part_mib ))
  followed_by=
  for other in "$disk"/*/start; do
    if [ "$(< "$other")" -gt "$start" ]; then followed_by=${other%/start}; followed_by=${followed_by##*/}; fi
  done
  if [ -n "$followed_by" ]; then room_mib=0; fi
  if [ "$room_mib" -lt 0 ]; then room_mib=0; fi
  log "root partition $part_mib MiB from sector $start of a $((disk_sectors / 2048)) MiB disk; $room_mib MiB after it"
}

# Cards are sold by the decimal GB: "32 GB" is 32 * 10^9 bytes, give or take the card's own reserve.
card_label() {
  awk -v s="$1" 'BEGIN { printf "%.1f GB", s * 512 / 1e9 }'
}

# The smallest card sold (8, 16, 32 ... GB) larger than this disk that leaves need_kib free: the missing space plus
# what ext4 takes of added space (5 % reserved for root, 1 % metadata), and 4 % for a card's own reserve.
card_needed() {
  local short_kib=$((need_kib - free_kib)) want gb
  want=$(( disk_sectors * 512 + short_kib * 1024 * 100 / 94 ))
  for gb in 8 16 32 64 128 256 512 1024 2048; do
    if [ $((gb * 960000000)) -ge "$want" ] && [ $((gb * 1000000000)) -gt $((disk_sectors * 512)) ]; then
      echo "$gb"
      return 0
    fi
  done
  echo 4096
}

short_of_space() {
  local need="pin $PIN needs $((need_kib / 1024)) MiB free on / and has $((free_kib / 1024)) MiB"
  local hint="; Raspberry Pi OS grows the root to the card on first boot (if it stays so: sudo raspi-config --expand-rootfs, then reboot)"
  if ! root_geometry; then
    fatal "$need: use a card of $card_gb GB or larger"
  fi
  # Not a failure while the resize is still to come: the partition short of the card's end (bookworm grows it in the
  # initramfs before systemd starts; trixie in the initramfs, resize_early) or the filesystem short of its partition
  # (trixie's rpi-resize.service has systemd-growfs-root.service grow it while systemd boots). The unit is ordered
  # after those; what they left undone a later boot may still do (trixie keeps " resize" in cmdline.txt until done).
  if [ "$room_mib" -gt 16 ]; then
    status "waiting for the root filesystem to be grown: its partition ends $room_mib MiB before the end of the $(card_label "$disk_sectors") card; $need$hint"
    exit "$EXIT_WAIT"
  fi
  # df's total lacks ext4's metadata (1-3 %); a root not yet grown is a fraction of a card-sized partition.
  if [ $((total_kib * 10 / 1024)) -lt $((part_mib * 9)) ]; then
    status "waiting for the root filesystem to be grown: it holds $((total_kib / 1024)) MiB of its $part_mib MiB partition; $need$hint"
    exit "$EXIT_WAIT"
  fi
  if [ -n "$followed_by" ]; then
    fatal "$need, and the root partition cannot grow: $followed_by follows it on the disk"
  fi
  fatal "the $(card_label "$disk_sectors") card is too small: $need after the root was grown to the card's end: use a card of $(card_needed) GB or larger"
}

# The floor is what the whole installation needs before it starts: once met for this pin, later runs do not
# count against it the space earlier stages took (the temporary swapfile, the store, build trees).
disk_ok=$FB_STATE/state/00-check-preflight.disk-ok
if [ "$(cat "$disk_ok" 2>/dev/null || true)" != "$(pin_string)" ]; then
  if [ "$free_kib" -lt "$need_kib" ]; then
    short_of_space
  fi
  write_atomic "$disk_ok" "$(pin_string)"
fi

meminfo=${HYDRA_FIRSTBOOT_MEMINFO:-/proc/meminfo}
mem_kib=$(awk '$1 == "MemTotal:" || $1 == "SwapTotal:" { s += $2 } END { print s + 0 }' "$meminfo")
log "RAM+swap $((mem_kib / 1024)) MiB, free disk $((free_kib / 1024)) MiB"
