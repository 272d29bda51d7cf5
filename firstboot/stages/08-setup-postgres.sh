#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 08 (hydra-first-boot.md §5): the hydra role and database, peer auth through an ident map, pg_trgm for the modern
# pin.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: role server

# Needs only the postgresql package, not all of stage 02's, and no sane clock: a base that has the package gets the
# database while offline. Without it, the network (and stage 01, which runs first) must come first.
if [ "$(dpkg-query -W -f='${Status}' postgresql 2>/dev/null || true)" != "install ok installed" ]; then
  need_network
  dpkg --configure -a
  retry_backoff 3 apt_safe update
  retry_backoff 3 apt_safe install --no-install-recommends postgresql
fi
systemctl enable --now postgresql.service
wait_postgres || { log "PostgreSQL is not accepting connections"; exit 1; }

psqlq "SELECT 1 FROM pg_roles WHERE rolname='hydra'" | grep -qx 1 \
  || runuser -u postgres -- createuser --no-superuser --no-createdb --no-createrole hydra
psqlq "SELECT 1 FROM pg_database WHERE datname='hydra'" | grep -qx 1 \
  || runuser -u postgres -- createdb -O hydra hydra
psqlq "ALTER DATABASE hydra OWNER TO hydra" >/dev/null
if ! pin_is_legacy; then
  psqlq -d hydra "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
fi

# Locate the files rather than guess the cluster version (PG15 on bookworm, PG17 on trixie).
hba=$R$(psqlq "SHOW hba_file")
ident=$R$(psqlq "SHOW ident_file")
replace_block "$ident" bottom "$(printf 'hydra-users %s hydra\n' hydra hydra-queue-runner hydra-www root)"
# Above Debian's "local all all peer": the first matching line wins. Only for role hydra: a line for every role would
# also catch the postgres superuser asking for database hydra, whom the map does not know, and lock it out
# (first-boot-observed.md, stage 10); postgres falls through to Debian's "local all postgres peer".
replace_block "$hba" top "local hydra hydra peer map=hydra-users"
psqlq "SELECT pg_reload_conf()" >/dev/null
