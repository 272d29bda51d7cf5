#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 09 (hydra-first-boot.md §4.1): /var/lib/hydra and its owners and modes, gcroots, hydra.conf (shared with
# hydra-init's pre-start).
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 06-create-hydra-users
# hydra-firstboot: role server

"$FB_LIBDIR/hydra-prestart" --render
