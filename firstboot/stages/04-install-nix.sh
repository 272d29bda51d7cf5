#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 04 (hydra-first-boot.md §1.3, §3.2, §3.4): Nix. legacy: 1.11.16 from the verified release tarball; modern: the
# upstream multi-user installer.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 01-sync-time 02-install-packages 03-add-swap

src_dir=$FB_CACHE/src
build_dir=$FB_CACHE/build/nix

if pin_is_legacy; then
  if "$R/usr/local/bin/nix-store" --version 2>/dev/null | grep -qF " $NIX_VERSION"; then
    log "nix $NIX_VERSION already installed"
    exit 0
  fi
  tarball=$src_dir/nix-$NIX_VERSION.tar.xz
  ensure_source "$tarball" "$NIX_TARBALL_SHA256" \
    "${NIX_TARBALL_URL:-https://nixos.org/releases/nix/nix-$NIX_VERSION/nix-$NIX_VERSION.tar.xz}"
  # A power cut can leave partial files in the tree: always build from a fresh unpack (§6.6).
  rm -rf "$build_dir"
  mkdir -p "$build_dir"
  tar -xJf "$tarball" -C "$build_dir" --strip-components=1
  flags=(--prefix=/usr/local --sysconfdir=/etc --localstatedir=/nix/var --with-store-dir=/nix/store --enable-gc)
  # Boehm GC 8.2's gc_cpp.h calls GC_throw_bad_alloc(), defined in libgccpp, which bdw-gc.pc does not list; Nix
  # links its libraries with no undefined symbols allowed, so libnixexpr.so fails to link without it
  # (first-boot-observed.md, stage 04). BDW_GC_LIBS overrides what PKG_CHECK_MODULES found.
  flags+=("BDW_GC_LIBS=$(pkg-config --libs bdw-gc) -lgccpp")
  if [ "$(dpkg --print-architecture)" = armhf ]; then
    # A 64-bit kernel under armhf makes config.guess say aarch64 (§3.5).
    flags+=(--build=arm-linux-gnueabihf --with-system=armv7l-linux)
  fi
  jobs=$(build_jobs)
  log "building Nix $NIX_VERSION with $jobs parallel jobs"
  (cd "$build_dir" && ./configure "${flags[@]}" && make -j"$jobs" && make install)
  ldconfig
  "$R/usr/local/bin/nix-store" --version | grep -qF " $NIX_VERSION"
  exit 0
fi

nix_bin=$R/nix/var/nix/profiles/default/bin/nix
if "$nix_bin" --version 2>/dev/null | grep -qF " $NIX_VERSION"; then
  log "nix $NIX_VERSION already installed"
  exit 0
fi
# The installer is not idempotent (§3.2): undo a partial install before trying again.
shopt -s nullglob
backups=("$FB_ETC"/*.backup-before-nix "$FB_ETC"/profile.d/*.backup-before-nix "$FB_ETC"/zsh/*.backup-before-nix)
shopt -u nullglob
if [ -e "$R/nix" ] || [ "${#backups[@]}" -gt 0 ]; then
  log "partial Nix install found: cleaning up before retrying"
  systemctl stop nix-daemon.socket nix-daemon.service 2>/dev/null || true
  for b in "${backups[@]}"; do mv -f "$b" "${b%.backup-before-nix}"; done
  rm -f "$FB_ETC/systemd/system/nix-daemon.service" "$FB_ETC/systemd/system/nix-daemon.socket" \
    "$FB_ETC/tmpfiles.d/nix-daemon.conf"
  rm -rf "$R/nix" "$FB_ETC/nix/nix.conf" "$R/root/.nix-profile" "$R/root/.nix-defexpr" "$R/root/.nix-channels"
fi
# hydrapi pins the installer script, which pins the binary tarballs it fetches: nothing is taken on trust from
# the network alone.
expected=${NIX_INSTALLER_SHA256:-}
[ -n "$expected" ] || fatal "NIX_INSTALLER_SHA256 missing in $FB_CONFIG; rebuild the image with hydrapi"
need_network
installer=$FB_CACHE/nix-$NIX_VERSION-install
mkdir -p "$FB_CACHE"
curl -fsSL --retry 3 --max-time 300 -o "$installer.part" "https://releases.nixos.org/nix/nix-$NIX_VERSION/install"
mv -f "$installer.part" "$installer"
if ! echo "$expected  $installer" | sha256sum -c --status; then
  rm -f "$installer"
  fatal "Nix installer does not match sha256 $expected"
fi
# nixbld (GID 30000) and nixbld1..N (UID 30001..) are already in the image, as the installer would make them.
NIX_INSTALLER_YES=1 timeout 3600 sh "$installer" --daemon --yes --no-channel-add \
  --daemon-user-count "${NIX_BUILD_USERS:-4}" </dev/null
"$nix_bin" --version | grep -qF " $NIX_VERSION"
