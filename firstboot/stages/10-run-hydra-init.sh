#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 10 (hydra-first-boot.md §1.5): hydra-init through its unit (as user hydra with the env file); checks the schema
# exists.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 07-build-hydra 08-setup-postgres 09-prepare-hydra-state
# hydra-firstboot: role server

systemctl daemon-reload
# hydra-init is bounded by its own pg_isready loop; the schema load itself gets 30 minutes.
timeout 1800 systemctl start hydra-init.service
# psql's own error (connection, missing table) stays on stderr, in this stage's log.
rc=0
schema=$(psqlq -d hydra "SELECT max(version) FROM SchemaVersion") || rc=$?
if [ "$rc" != 0 ] || [ -z "$schema" ]; then
  log "hydra-init ran but the schema version cannot be read (psql exit $rc); last journal lines of hydra-init:"
  journalctl -u hydra-init.service -n 20 --no-pager || log "journalctl failed ($?)"
  exit 1
fi
log "Hydra schema version $schema"
