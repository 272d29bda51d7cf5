#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 11 (hydra-first-boot.md §1.5, §2.1): the Hydra admin account; hydra-create-user creates or updates, so
# re-running is safe.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 10-run-hydra-init
# hydra-firstboot: role server

pwfile=$R/root/hydra-admin-password
user=${ADMIN_USER:-admin}
if [ ! -s "$pwfile" ]; then
  umask 077
  write_atomic "$pwfile" "$(pwgen -s 20 1)"
  chmod 0600 "$pwfile"
fi
password=$(cat "$pwfile")

load_hydra_env
args=("$user" --full-name "${ADMIN_FULLNAME:-$user}" --email-address "${ADMIN_EMAIL:-$user@localhost}" --role admin)
if pin_is_legacy; then
  # 993647d stores sha1_hex(password) and has no --password-hash (§1.5).
  args+=(--password "$password")
else
  hash=${ADMIN_PASSWORD_HASH:-}
  if [ -z "$hash" ]; then
    salt=$(head -c 16 /dev/urandom | base64 | tr -d '=+/\n')
    hash=$(printf '%s' "$password" | argon2 "$salt" -id -t 3 -k 262144 -p 1 -l 16 -e)
  fi
  args+=(--password-hash "$hash")
fi
runuser -u hydra -- hydra-create-user "${args[@]}"
[ "$(psqlq -d hydra "SELECT 1 FROM users WHERE username='$user'")" = 1 ]
