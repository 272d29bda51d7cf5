#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 14 (hydra-first-boot.md §7): clean the build trees and leave the ready message; the driver then writes done and
# disables the unit.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 12-enable-services 13-create-jobsets

rm -rf "$FB_CACHE/build"
host=$(cat "$FB_ETC/hostname" 2>/dev/null || echo localhost)
if [ "$ROLE" = builder ]; then
  write_atomic "$FB_STATE/ready-message" \
    "Nix builder $host ready: ${FLEET_SERVER:-the server} sends it builds over SSH (account nix-ssh)"
  exit 0
fi
write_atomic "$FB_STATE/ready-message" \
  "Hydra ready at ${HYDRA_URL:-http://$host:3000} (admin password in /root/hydra-admin-password)"
