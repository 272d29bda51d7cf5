#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 00 (hydra-first-boot.md §7): architecture, codename, disk and memory; refuses pins the Pi cannot run.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: always-run

arch=$(dpkg --print-architecture)
codename=$(sed -n 's/^VERSION_CODENAME=//p' "$FB_ETC/os-release" 2>/dev/null | tr -d '"' || true)
log "architecture $arch, codename ${codename:-unknown}, pin $(pin_string)"

if pin_is_legacy; then
  # Stock 993647d needs libpqxx 6 (parameterized()); trixie ships 7.10 (§0.2).
  [ "$codename" = bookworm ] || fatal "pin legacy-2016 needs bookworm (this is '${codename:-unknown}')"
  need_kib=$((8 * 1024 * 1024))
else
  # No armv6l/armv7l in the binary cache and no ARM32 installer (§0.7, §3.5); x86-64 Debian works alike (tests).
  [ "$arch" = arm64 ] || [ "$arch" = amd64 ] || fatal "pin modern needs a 64-bit OS (arm64); this is $arch"
  need_kib=$((4 * 1024 * 1024))
fi

# A test booting a small disk lowers this (an SD card is resized to its full size before first boot runs).
need_kib=${HYDRA_FIRSTBOOT_MIN_FREE_KIB:-$need_kib}
free_kib=$(df -Pk "${R:-/}" | awk 'NR == 2 { print $4 }')
# The floor is what the whole installation needs before it starts: once met for this pin, later runs do not
# count against it the space earlier stages took (the temporary swapfile, the store, build trees).
disk_ok=$FB_STATE/state/00-check-preflight.disk-ok
if [ "$(cat "$disk_ok" 2>/dev/null || true)" != "$(pin_string)" ]; then
  if [ "${free_kib:-0}" -lt "$need_kib" ]; then
    fatal "only $((free_kib / 1024)) MiB free on /, pin $PIN needs $((need_kib / 1024)) MiB"
  fi
  write_atomic "$disk_ok" "$(pin_string)"
fi

meminfo=${HYDRA_FIRSTBOOT_MEMINFO:-/proc/meminfo}
mem_kib=$(awk '$1 == "MemTotal:" || $1 == "SwapTotal:" { s += $2 } END { print s + 0 }' "$meminfo")
log "RAM+swap $((mem_kib / 1024)) MiB, free disk $((free_kib / 1024)) MiB"
