#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 07 (hydra-first-boot.md §1.2, §1.4, §2.3): Hydra. legacy: pinned CPAN modules, then 993647d from the pre-seeded
# tarball; modern: nixpkgs' hydra into /nix/var/nix/profiles/hydra.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 02-install-packages 03-add-swap 04-install-nix 05-create-nix-users 06-create-hydra-users
# hydra-firstboot: role server

if pin_is_legacy; then
  src=${HYDRA_SOURCE:+$R$HYDRA_SOURCE}
  src=${src:-$FB_CACHE/src/hydra-$HYDRA_REV.tar.gz}
  build_dir=$FB_CACHE/build/hydra
  # The Perl modules Debian lacks (§1.4), from the pinned CPAN distributions the image carries (or, for an image
  # built with the sources left to the Pi, downloads checked against the same sha256).
  read -r -a modules <<< "${CPAN_MODULES:-}"
  missing=()
  for m in "${modules[@]}"; do
    perl -M"$m" -e 1 >/dev/null 2>&1 || missing+=("$m")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    read -r -a dists <<< "${CPAN_DISTS:-}"
    [ "${#dists[@]}" -gt 0 ] || fatal "CPAN_DISTS missing in $FB_CONFIG; rebuild the image with hydrapi"
    files=()
    for d in "${dists[@]}"; do
      url=${d#*=}
      file=$FB_CACHE/src/cpan/${url##*/}
      ensure_source "$file" "${d%%=*}" "$url"
      files+=("$file")
    done
    log "installing ${#files[@]} CPAN distributions for ${missing[*]}"
    # Every prerequisite comes from Debian (packages/legacy-2016.apt): an empty mirror makes a missing one fail
    # here, by name, instead of cpanm fetching an unpinned version from CPAN.
    # The files go in the order of CPAN_DISTS, each after the ones it needs: cpanm resolves nothing between local
    # files. Its work directory stays with the build trees, not in $HOME (unset under systemd).
    empty=$(mktemp -d)
    export PERL_CPANM_HOME=$FB_CACHE/build/cpanm
    rc=0
    cpanm --notest --no-man-pages --mirror "file://$empty" --mirror-only "${files[@]}" || rc=$?
    rmdir "$empty"
    if [ "$rc" != 0 ]; then
      tail -n 40 "$PERL_CPANM_HOME/build.log" >&2 || log "no cpanm build log in $PERL_CPANM_HOME"
      exit "$rc"
    fi
    for m in "${modules[@]}"; do
      perl -M"$m" -e 1 || fatal "Perl module $m does not load after installing the CPAN distributions"
    done
  fi
  if [ ! -f "$src" ]; then
    need_network
    mkdir -p "$(dirname "$src")"
    curl -fsSL --retry 3 --max-time 600 -o "$src.part" \
      "${HYDRA_SOURCE_URL:-https://github.com/NixOS/hydra/archive/$HYDRA_REV.tar.gz}"
    mv -f "$src.part" "$src"
  fi
  rm -rf "$build_dir"
  mkdir -p "$build_dir"
  tar -xf "$src" -C "$build_dir" --strip-components=1
  # The tarball's bytes may differ from GitHub's; its unpacked tree may not (§1.10). Nix 1.11's nix-hash prints
  # the same NAR hash in base32.
  got=$("$R/usr/local/bin/nix-hash" --type sha256 --base32 "$build_dir")
  if [ -n "${HYDRA_NAR_HASH_BASE32:-}" ] && [ "$got" != "$HYDRA_NAR_HASH_BASE32" ]; then
    rm -f "$src"
    fatal "Hydra source NAR hash $got != expected $HYDRA_NAR_HASH_BASE32"
  fi
  # gcc 12's libstdc++ headers no longer include <cmath> on the way: roundf in dispatcher.cc and powf in
  # build-remote.cc are then undeclared (first-boot-observed.md, stage 07). Patched after the hash check, which
  # must see the pristine tree.
  for f in dispatcher.cc build-remote.cc; do
    sed -i '1i #include <cmath>' "$build_dir/src/hydra-queue-runner/$f"
  done
  jobs=$(build_jobs)
  log "building Hydra ${HYDRA_REV:0:7} with $jobs parallel jobs"
  # doc/ needs DocBook XSL from a git checkout; building src/ alone avoids it (§1.2).
  (cd "$build_dir" && ./bootstrap && ./configure --prefix=/usr/local \
    --with-docbook-xsl=/usr/share/xml/docbook/stylesheet/docbook-xsl-ns \
    && make -C src -j"$jobs" && make -C src install)
  [ -x "$R/usr/local/bin/hydra-queue-runner" ]
  exit 0
fi

nix=$R/nix/var/nix/profiles/default/bin/nix
profile=$R/nix/var/nix/profiles/hydra
nixpkgs="https://github.com/NixOS/nixpkgs/archive/$NIXPKGS_REV.tar.gz"
need_network
export NIX_REMOTE=daemon
rev=$(timeout 1800 "$nix" --extra-experimental-features nix-command eval --raw -f "$nixpkgs" hydra.src.rev)
[ "$rev" = "$HYDRA_REV" ] || fatal "nixpkgs $NIXPKGS_REV packages Hydra $rev, not the pinned $HYDRA_REV"
out=$(timeout 1800 "$nix" --extra-experimental-features nix-command eval --raw -f "$nixpkgs" hydra.outPath)
if [ "$(readlink -f "$profile" 2>/dev/null || true)" = "$(readlink -f "$R$out" 2>/dev/null || echo "$out")" ] \
  && [ -x "$profile/bin/hydra-init" ]; then
  log "hydra profile already points at $out"
  exit 0
fi
# Say before the long part what it will be: a download of the cached closure, or a build from source on the Pi
# (hydra-first-boot.md §3.5: the binary cache has aarch64-linux, but not every nixpkgs revision's every path).
cache=${BINARY_CACHE_URL:-https://cache.nixos.org}
hash=${out#/nix/store/}
hash=${hash%%-*}
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "$cache/$hash.narinfo") || code=unreachable
case "$code" in
  200) status "stage 07: Hydra ${HYDRA_REV:0:7} is in $cache for $(uname -m): downloading it, about 10-30 minutes" ;;
  404) status "stage 07: Hydra ${HYDRA_REV:0:7} is not in $cache for $(uname -m): building it and what it needs from source on this Pi, many hours" ;;
  *) status "stage 07: $cache answered $code for Hydra's $out; building, which takes from minutes (cached) to many hours (from source)" ;;
esac
timeout 86400 "$nix" --extra-experimental-features nix-command build --no-link -f "$nixpkgs" hydra
"$R/nix/var/nix/profiles/default/bin/nix-env" -p "$profile" --set "$out"
