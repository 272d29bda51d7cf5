#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes (once) a minimal Debian bookworm root holding what the local first-boot stages need, caches it as a tar
# outside the clone, and unpacks it into DIR. Prints the cached tar's path. Needs root and mmdebstrap.
# Usage: testdata/make-debian-root.sh [DIR]
set -Eeuo pipefail

dir=${1:-}
suite=bookworm
# util-linux: runuser, flock, su; iproute2: the driver's default-route probe; curl: stage 01 (only after its
# network check); sudo and passwd: the account stages; postgresql: stage 08 against a real cluster.
packages=(postgresql sudo passwd login util-linux procps iproute2 curl ca-certificates xz-utils)
cache_dir=${HYDRAPI_CI_CACHE:-/var/cache/hydrapi-ci}
key=$(printf '%s\n' "$suite" "${packages[@]}" | sha256sum | cut -c1-16)
tarball=$cache_dir/debian-root-$suite-$key.tar

mkdir -p "$cache_dir"
# Two test runs at once build the tar once.
exec 8>"$cache_dir/.lock"
flock 8
if [ ! -s "$tarball" ]; then
  command -v mmdebstrap >/dev/null || { echo "mmdebstrap missing: apt-get install mmdebstrap" >&2; exit 2; }
  # The host's own apt sources (same mirror, same keyring) when it is Debian; deb.debian.org otherwise.
  sources=/etc/apt/sources.list.d/debian.sources
  mirror=(http://deb.debian.org/debian)
  if [ -r "$sources" ] && grep -q "Suites:.*\b$suite\b" "$sources"; then mirror=(-); else sources=/dev/null; fi
  # Docs, man pages and locales are never read by the stages; a throw-away root needs no fsync per file.
  mmdebstrap --variant=minbase --mode=root --format=tar --skip=output/mknod \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt=force-unsafe-io \
    --aptopt='Acquire::Retries "3"' \
    "$suite" "$tarball.part" "${mirror[@]}" < "$sources" >&2
  mv -f "$tarball.part" "$tarball"
fi

if [ -n "$dir" ]; then
  mkdir -p "$dir"
  tar -xpf "$tarball" --numeric-owner -C "$dir"
fi
echo "$tarball"
