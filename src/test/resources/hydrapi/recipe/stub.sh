#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stand-in for the Pi's commands in FirstbootDriverTest: logs "name args" to $STUB_LOG and answers like a healthy
# bookworm Pi where everything is installed. $STUB_DIR/fail-<name> makes <name> fail; $STUB_DIR/network present
# means a default route and DNS; $STUB_DIR/packages-missing makes dpkg-query report nothing installed; df-total and
# df-avail set df's sizes, root-devnum findmnt's answer.
set -uo pipefail
name=$(basename "$0")
printf '%s %s\n' "$name" "$*" >> "$STUB_LOG"
if [ -e "$STUB_DIR/fail-$name" ]; then
  echo "stub $name: failing on purpose" >&2
  exit 1
fi
case "$name" in
  systemctl)
    # $STUB_DIR/is-active-rc: what "systemctl is-active" answers (systemd says 3 for an inactive unit).
    if [ "${1:-}" = is-active ] && [ -e "$STUB_DIR/is-active-rc" ]; then exit "$(cat "$STUB_DIR/is-active-rc")"; fi
    ;;
  runuser)
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do shift; done
    shift
    exec "$@"
    ;;
  dpkg)
    [ "${1:-}" = --print-architecture ] && echo "${STUB_ARCH:-arm64}"
    ;;
  apt-get)
    case " $* " in
      *" install --no-install-recommends "*) rm -f "$STUB_DIR/packages-missing" ;;
    esac
    ;;
  dpkg-query)
    if [ ! -e "$STUB_DIR/packages-missing" ]; then
      for a in "$@"; do
        case "$a" in -*) ;; *) echo 'install ok installed' ;; esac
      done
    fi
    ;;
  timedatectl) echo yes ;;
  df) printf 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/root %s 1000000 %s 2%% /\n' \
        "$(cat "$STUB_DIR/df-total" 2>/dev/null || echo 60000000)" "$(cat "$STUB_DIR/df-avail" 2>/dev/null || echo 50000000)" ;;
  # The root's MAJ:MIN, which the test's sysfs tree (ROOT/sys) describes; none: not a mount findmnt knows.
  findmnt) cat "$STUB_DIR/root-devnum" 2>/dev/null || exit 1 ;;
  ip) [ -e "$STUB_DIR/network" ] && echo "default via 192.0.2.1 dev eth0" ;;
  getent)
    case "$1 ${2:-}" in
      "ahosts "*) [ -e "$STUB_DIR/network" ] || exit 2 ;;
      "group nixbld") echo "nixbld:x:30000:nixbld1,nixbld2" ;;
      "group nix-users") exit 2 ;;
      "group "*) echo "$2:x:997:" ;;
      "passwd "*) echo "$2:x:997:997::/var/lib/hydra:/bin/bash" ;;
    esac
    ;;
  nix-store)
    case "${1:-}" in
      --version) echo "nix-store (Nix) $NIX_VERSION" ;;
      # NAME SECRET-FILE PUBLIC-FILE, as Nix writes them: NAME:base64, no newline.
      --generate-binary-cache-key) printf '%s:c2VjcmV0' "$2" > "$3"; printf '%s:cHVibGlj' "$2" > "$4" ;;
    esac
    ;;
  nix)
    case "$*" in
      --version) echo "nix (Nix) $NIX_VERSION" ;;
      *hydra.src.rev) printf '%s' "$HYDRA_REV" ;;
      *hydra.outPath) printf '/nix/store/00000000000000000000000000000000-hydra-0-unstable' ;;
    esac
    ;;
  argon2)
    # shellcheck disable=SC2016 # a literal hash
    echo '$argon2id$v=19$m=262144,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'
    ;;
  nix-hash) echo "$HYDRA_NAR_HASH_BASE32" ;;
  tar)
    while [ "$#" -gt 0 ]; do
      if [ "$1" = -C ]; then
        # shellcheck disable=SC2016 # the generated script expands them
        printf '#!/bin/sh\necho "$0 $*" >> "%s"\n' "$STUB_LOG" > "$2/bootstrap"
        cp "$2/bootstrap" "$2/configure"
        chmod +x "$2/bootstrap" "$2/configure"
        # The two queue-runner sources stage 07 patches for gcc 12.
        mkdir -p "$2/src/hydra-queue-runner"
        printf 'float f(float a) { return roundf(a); }\n' > "$2/src/hydra-queue-runner/dispatcher.cc"
        printf 'float g(float a) { return powf(a, 2); }\n' > "$2/src/hydra-queue-runner/build-remote.cc"
      fi
      shift
    done
    ;;
  psql)
    query=${*: -1}
    case "$query" in
      *pg_roles*|*pg_database*|*"FROM users"*) echo 1 ;;
      *SchemaVersion*) echo 43 ;;
      "SHOW hba_file") echo /etc/postgresql/15/main/pg_hba.conf ;;
      "SHOW ident_file") echo /etc/postgresql/15/main/pg_ident.conf ;;
    esac
    ;;
  pwgen) echo "generated-password-0001" ;;
  perl)
    # Every module loads: a filter (-n) reads its input and prints no missing name.
    case "${1:-}" in -n*) cat > /dev/null ;; esac
    ;;
  curl)
    # Hydra's API as stage 13 calls it: the status code it asks for with -w; cache.nixos.org has the path.
    case " $* " in *" --data-binary @- "*) cat > /dev/null ;; esac
    case " $* " in *" -w "*) printf 200 ;; esac
    ;;
  swapon) ;;
esac
exit 0
