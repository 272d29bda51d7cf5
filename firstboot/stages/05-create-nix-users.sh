#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 05 (hydra-first-boot.md §1.3, §4.2): build users in /etc/group, a server's binary-cache signing key, the pin's
# nix.conf block, the store and the daemon.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 04-install-nix

# The image already lists nixbld1..N as members of nixbld (Nix 1.11 takes build users from gr_mem).
members=$(getent group nixbld | cut -d: -f4)
if [ -z "$members" ]; then
  getent group nixbld >/dev/null || groupadd -r -g 30000 nixbld
  for ((i = 1; i <= ${NIX_BUILD_USERS:-4}; i++)); do
    getent passwd "nixbld$i" >/dev/null \
      || useradd -r -g nixbld -G nixbld -d /var/empty -s /usr/sbin/nologin -c "Nix build user $i" "nixbld$i"
  done
  members=$(getent group nixbld | cut -d: -f4)
  [ -n "$members" ] || { log "group nixbld still has no members"; exit 1; }
fi

# The binary cache's signing key (docs/fleet.md, "The binary cache"): made here, on the Pi, never shipped in the
# image. nix-store writes NAME:base64 of the Ed25519 key pair, the secret with umask 077 (nix-store.cc,
# opGenerateBinaryCacheKey, in Nix 1.11 and 2.x). hydra-server signs the narinfo it serves with it (View/NARInfo.pm,
# binary_cache_secret_key_file) as hydra-www, hence 0440 root:hydra. Made in a directory beside, then renamed, the
# secret last: a power cut leaves either no secret, and a fresh pair is made, or the pair.
sec=$FB_ETC/nix/hydra-cache.sec
pub=$FB_ETC/nix/hydra-cache.pub
if [ -n "${CACHE_KEY_NAME:-}" ] && [ ! -s "$sec" ]; then
  if pin_is_legacy; then nix_store=$R/usr/local/bin/nix-store; else nix_store=$R/nix/var/nix/profiles/default/bin/nix-store; fi
  mkdir -p "$FB_ETC/nix"
  # A power cut inside an earlier try left its half-made pair, a secret among them: never used, so removed.
  rm -rf "$FB_ETC"/nix/.hydra-cache.*
  tmp=$(mktemp -d "$FB_ETC/nix/.hydra-cache.XXXXXX")
  "$nix_store" --generate-binary-cache-key "$CACHE_KEY_NAME" "$tmp/sec" "$tmp/pub"
  chown root:hydra "$tmp/sec"
  chmod 0440 "$tmp/sec"
  chmod 0644 "$tmp/pub"
  mv -f "$tmp/pub" "$pub"
  sync "$pub"
  mv -f "$tmp/sec" "$sec"
  sync "$FB_ETC/nix"
  rmdir "$tmp"
  log "made the binary cache's signing key $(cat "$pub")"
fi
# The public half on the boot partition too, where any computer reads it from the card.
if [ -n "${CACHE_KEY_NAME:-}" ]; then
  boot=$R${BOOT_MOUNT:-/boot/firmware}
  if mountpoint -q "$boot"; then
    if ! cmp -s "$pub" "$boot/hydra-cache.pub"; then
      cp "$pub" "$boot/hydra-cache.pub.tmp"
      sync "$boot/hydra-cache.pub.tmp"
      mv -f "$boot/hydra-cache.pub.tmp" "$boot/hydra-cache.pub"
    fi
  else
    log "$boot is not mounted: the cache's public key stays in $pub only"
  fi
fi

conf=$FB_ETC/nix/nix.conf
mkdir -p "$(dirname "$conf")"
replace_block "$conf" bottom "$(cat "$FB_ETC/hydra-firstboot/nix.conf.hydra")"
chmod 0644 "$conf"

if pin_is_legacy; then
  "$R/usr/local/bin/nix-store" --init
  # Nix 1.11's profile.d/nix-daemon.sh makes per-user/$USER in these for every login; make install creates neither,
  # so each non-root login shell would complain (the modern installer makes them 1777 as here).
  for d in profiles/per-user gcroots/per-user; do
    ensure_dir 1777 root:root "$R/nix/var/nix/$d"
  done
  # Nix 1.11's nix-daemon.socket and .service carry ConditionPathIsReadWrite=/nix/var/nix/daemon-socket, which
  # nothing creates: without it systemd skips the socket, and every client finds no daemon (seen under systemd,
  # docs/first-boot-observed.md, stage 05).
  ensure_dir 0755 root:root "$R/nix/var/nix/daemon-socket"
  # make install put the units in /usr/local/lib/systemd/system, which systemd searches.
  systemctl daemon-reload
  systemctl enable --now nix-daemon.socket
else
  systemctl daemon-reload
  systemctl restart nix-daemon.service
fi
if ! systemctl is-active --quiet nix-daemon.socket; then
  systemctl status --no-pager nix-daemon.socket || log "systemctl status nix-daemon.socket exited $?"
  log "nix-daemon.socket is not active"
  exit 1
fi
