#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 02 (§6.4): heal dpkg, then install the pin's package set with retries and the dpkg lock timeout.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 01-sync-time

common=(postgresql git curl ca-certificates xz-utils pwgen)
if pin_is_legacy; then
  # §1.3, §1.4: Nix 1.11 and Hydra 993647d from source, their Perl deps, cpanm for the 7 missing modules.
  packages=("${common[@]}" build-essential autoconf automake libtool pkg-config libbz2-dev liblzma-dev libssl-dev
    libsqlite3-dev libcurl4-openssl-dev libseccomp-dev libsodium-dev libgc-dev libpqxx-dev libdbi-perl
    libdbd-sqlite3-perl libdbd-pg-perl libwww-curl-perl xsltproc libxml2-utils docbook-xsl-ns docbook5-xml unzip
    cpanminus starman libcatalyst-perl libcatalyst-devel-perl libcatalyst-action-rest-perl
    libcatalyst-authentication-store-dbix-class-perl libcatalyst-dispatchtype-regex-perl
    libcatalyst-plugin-authorization-roles-perl libcatalyst-plugin-captcha-perl
    libcatalyst-plugin-session-state-cookie-perl libcatalyst-plugin-session-store-fastmmap-perl
    libcatalyst-plugin-stacktrace-perl libcatalyst-plugin-configloader-perl libcatalyst-plugin-static-simple-perl
    libcatalyst-plugin-authentication-perl libcatalyst-plugin-session-perl libcatalyst-view-tt-perl
    libcatalyst-view-json-perl libcatalyst-model-dbic-schema-perl libnet-statsd-perl libsql-splitstatement-perl
    libsys-hostname-long-perl libtext-table-perl libset-scalar-perl libnet-amazon-s3-perl libemail-sender-perl
    libemail-mime-perl libfile-slurp-perl libreadonly-perl libjson-any-perl libjson-xs-perl libwww-perl
    liblwp-protocol-https-perl libipc-run-perl libpadwalker-perl libtext-diff-perl libxml-simple-perl
    libdata-dump-perl libdatetime-perl libconfig-general-perl libtry-tiny-perl liblist-moreutils-perl
    libtemplate-perl libmoose-perl libnamespace-autoclean-perl libmodule-pluggable-perl)
else
  packages=("${common[@]}" argon2)
fi

# One dpkg-query for all: a package it does not know prints nothing, so count the good lines.
installed() {
  local ok
  ok=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -cx 'install ok installed' || true)
  [ "$ok" -eq "${#packages[@]}" ]
}

if installed; then
  log "all ${#packages[@]} packages already installed"
  exit 0
fi

need_network
dpkg --configure -a
apt_safe -f install
retry_backoff 3 apt_safe update
retry_backoff 3 apt_safe install --no-install-recommends "${packages[@]}"
installed
