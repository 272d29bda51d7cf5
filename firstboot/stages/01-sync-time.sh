#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 01 (hydra-first-boot.md §6.3): a sane clock before TLS and apt: bounded NTP wait, then the HTTP Date header as
# fallback.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config

wait_s=${HYDRA_FIRSTBOOT_TIME_WAIT:-180}
not_before=${NOT_BEFORE:-0}

synced() {
  [ "$(timedatectl show -p NTPSynchronized --value 2>/dev/null || true)" = yes ]
}

# Without an NTP service (CanNTP=no: no timesyncd, as in a container) nothing will ever synchronise: do not wait.
if [ "$(timedatectl show -p CanNTP --value 2>/dev/null || true)" = no ]; then
  wait_s=0
fi
for ((waited = 0; waited < wait_s; waited += 5)); do
  if synced; then log "clock synchronised by NTP"; exit 0; fi
  sleep "$(( FB_POLL > 0 ? 5 : 0 ))"
done

now=$(date +%s)
if [ "$now" -ge "$not_before" ]; then
  log "no NTP sync after ${wait_s}s, but the clock ($now) is not before NOT_BEFORE ($not_before)"
  exit 0
fi

# HTTPS fails on a wrong clock, so ask a plain-HTTP mirror for its Date header.
need_network
http_date=$(curl -sSI --max-time 20 "http://${HYDRA_FIRSTBOOT_TIME_URL_HOST:-deb.debian.org}/" \
  | tr -d '\r' | sed -n 's/^[Dd]ate: //p' | head -n 1)
[ -n "$http_date" ] || { log "no Date header from the mirror"; exit 1; }
date -u -s "$http_date" >/dev/null
log "clock set from HTTP Date: $http_date"
[ "$(date +%s)" -ge "$not_before" ]
