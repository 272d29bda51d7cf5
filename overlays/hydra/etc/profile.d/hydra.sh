# shellcheck shell=sh
# SPDX-License-Identifier: Apache-2.0
# The Hydra units' environment for login shells, so hydra-create-user & co. work for the admin
# (replaces the manual procedure's ~/.profile edits; hydra-first-boot.md §4.2).
if [ -r /etc/hydra/hydra.env ]; then
  set -a
  # shellcheck source=/dev/null
  . /etc/hydra/hydra.env
  set +a
fi
