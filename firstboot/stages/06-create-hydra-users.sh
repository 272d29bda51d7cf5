#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 06 (hydra-first-boot.md §4.1): hydra, hydra-queue-runner and hydra-www (the image already has them; this
# repairs).
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: role server

getent group hydra >/dev/null || groupadd -r hydra
make_user() {
  local name=$1 home=$2
  getent passwd "$name" >/dev/null || useradd -r -g hydra -d "$home" -s /bin/bash "$name"
}
make_user hydra /var/lib/hydra
make_user hydra-queue-runner /var/lib/hydra/queue-runner
make_user hydra-www /var/lib/hydra/www
# Debian's nix-daemon socket is 0770 root:nix-users (§3.1).
if getent group nix-users >/dev/null; then
  for u in hydra hydra-queue-runner hydra-www; do
    id -nG "$u" | tr ' ' '\n' | grep -qx nix-users || usermod -aG nix-users "$u"
  done
fi
