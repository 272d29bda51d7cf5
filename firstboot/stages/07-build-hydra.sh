#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 07 (§1.2, §1.4, §2.3): Hydra. legacy: pinned CPAN modules, then 993647d from the pre-seeded tarball; modern: nixpkgs' hydra into /nix/var/nix/profiles/hydra.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 02-install-packages 03-add-swap 04-install-nix 05-create-nix-users 06-create-hydra-users

if pin_is_legacy; then
  src=${HYDRA_SOURCE:-$FB_CACHE/src/hydra-$HYDRA_REV.tar.gz}
  build_dir=$FB_CACHE/build/hydra
  # The seven modules Debian lacks (§1.4), versions pinned.
  read -r -a cpan <<< "${CPAN_MODULES:-}"
  if [ "${#cpan[@]}" -gt 0 ]; then
    missing=()
    for m in "${cpan[@]}"; do
      perl -M"${m%@*}" -e 1 2>/dev/null || missing+=("$m")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
      need_network
      retry_backoff 3 timeout 3600 cpanm --notest "${missing[@]}"
    fi
  fi
  if [ ! -f "$src" ]; then
    need_network
    mkdir -p "$(dirname "$src")"
    curl -fsSL --retry 3 --max-time 600 -o "$src.part" "https://github.com/NixOS/hydra/archive/$HYDRA_REV.tar.gz"
    mv -f "$src.part" "$src"
  fi
  rm -rf "$build_dir"
  mkdir -p "$build_dir"
  tar -xzf "$src" -C "$build_dir" --strip-components=1
  # The tarball's bytes may differ from GitHub's; its unpacked tree may not (§1.10). Nix 1.11's nix-hash prints
  # the same NAR hash in base32.
  got=$("$R/usr/local/bin/nix-hash" --type sha256 --base32 "$build_dir")
  if [ -n "${HYDRA_NAR_HASH_BASE32:-}" ] && [ "$got" != "$HYDRA_NAR_HASH_BASE32" ]; then
    rm -f "$src"
    fatal "Hydra source NAR hash $got != expected $HYDRA_NAR_HASH_BASE32"
  fi
  mem_kib=$(awk '$1 == "MemTotal:" { print $2 }' "${HYDRA_FIRSTBOOT_MEMINFO:-/proc/meminfo}")
  jobs=$(( mem_kib >= 4 * 1024 * 1024 ? 2 : 1 ))
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
timeout 14400 "$nix" --extra-experimental-features nix-command build --no-link -f "$nixpkgs" hydra
"$R/nix/var/nix/profiles/default/bin/nix-env" -p "$profile" --set "$out"
