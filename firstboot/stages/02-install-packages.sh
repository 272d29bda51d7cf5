#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 02 (hydra-first-boot.md §6.4): heal dpkg, then install the pin's package set (packages/PIN.apt; a fleet's
# builder: packages/PIN-builder.apt) with retries and the dpkg lock timeout; for the legacy pin's server, check that
# every Perl module Hydra loads from Debian is there (packages/PIN.perl).
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 01-sync-time

# One name a line; '#' starts a comment.
read_list() {
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"
}

list=$FB_LIBDIR/packages/$PIN.apt
if [ "$ROLE" = builder ]; then list=$FB_LIBDIR/packages/$PIN-builder.apt; fi
[ -r "$list" ] || fatal "package list $list missing; rebuild the image with hydrapi"
mapfile -t packages < <(read_list "$list")

# One dpkg-query for all: a package it does not know prints nothing, so count the good lines.
installed() {
  local ok
  ok=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -cx 'install ok installed' || true)
  [ "$ok" -eq "${#packages[@]}" ]
}

if installed; then
  log "all ${#packages[@]} packages already installed"
else
  need_network
  dpkg --configure -a
  apt_safe -f install
  retry_backoff 3 apt_safe update
  retry_backoff 3 apt_safe install --no-install-recommends "${packages[@]}"
  installed || { log "apt-get reported success but not every package of $list is installed"; exit 1; }
fi

modules=$FB_LIBDIR/packages/$PIN.perl
if [ "$ROLE" = server ] && [ -r "$modules" ]; then
  # One perl for all: it prints the names that do not load.
  missing=$(read_list "$modules" | perl -ne 'chomp; (my $f = "$_.pm") =~ s{::}{/}g;
    eval { local $SIG{__WARN__} = sub {}; require $f; 1 } or print "$_ "')
  if [ -n "$missing" ]; then
    # Installing the same list again cannot help: the image's package list is wrong for this release.
    fatal "Perl modules missing after installing $list: ${missing% }"
  fi
  log "all Perl modules of $modules load"
fi
