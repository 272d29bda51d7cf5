#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 03 (hydra-first-boot.md §6.6, legacy pin): a temporary swapfile when RAM+swap is under 2 GiB; stage 12 removes
# it.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config

pin_is_legacy || exit 0
swapfile=$R/var/swap.hydra-build
if swapon --show=NAME --noheadings 2>/dev/null | grep -qx "${swapfile#"$R"}"; then
  log "temporary swap already active"
  exit 0
fi
meminfo=${HYDRA_FIRSTBOOT_MEMINFO:-/proc/meminfo}
total_kib=$(awk '$1 == "MemTotal:" || $1 == "SwapTotal:" { s += $2 } END { print s + 0 }' "$meminfo")
if [ "$total_kib" -ge $((2 * 1024 * 1024)) ]; then
  log "RAM+swap $((total_kib / 1024)) MiB is enough, no temporary swap"
  exit 0
fi
# A swapfile left by a power cut may be partial: make it again.
rm -f "$swapfile"
fallocate -l 2G "$swapfile"
chmod 0600 "$swapfile"
mkswap "$swapfile" >/dev/null
swapon "$swapfile"
