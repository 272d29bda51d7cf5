#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 12 (hydra-first-boot.md §4.1, §6.6): enable and start the Hydra units, wait for the web server, drop the
# temporary swap.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 10-run-hydra-init 11-create-admin
# hydra-firstboot: role server

units=(hydra-server.service hydra-evaluator.service hydra-queue-runner.service)
if ! pin_is_legacy; then
  # 2016's hydra-notify is a per-build program, not a daemon (§1.5).
  units+=(hydra-notify.service)
fi
timers=(hydra-update-gc-roots.timer hydra-compress-logs.timer)
systemctl daemon-reload
systemctl enable hydra-init.service "${units[@]}" "${timers[@]}"
timeout 600 systemctl start "${units[@]}" "${timers[@]}"

# A Pi 4 needs up to a minute to load Catalyst; five minutes before calling it a failure.
ok=0
for ((i = 0; i < 150; i++)); do
  if curl -fsS --max-time 10 -o /dev/null http://127.0.0.1:3000/; then ok=1; break; fi
  sleep "$FB_POLL"
done
if [ "$ok" != 1 ]; then
  log "hydra-server does not answer on port 3000; last journal lines of hydra-server:"
  journalctl -u hydra-server.service -n 30 --no-pager || log "journalctl failed ($?)"
  exit 1
fi

swapfile=$R/var/swap.hydra-build
if [ -e "$swapfile" ]; then
  if swapon --show=NAME --noheadings | grep -qxF "${swapfile#"$R"}"; then
    swapoff "$swapfile"
  fi
  rm -f "$swapfile"
fi
