# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Booting hydrapi-built images' roots under a real systemd with systemd-nspawn, for firstboot-e2e.sh,
# cloud-init-boot.sh and fleet-e2e.sh (sourced). The disk is decoded sparse, grown to a card's size and its root
# partition and filesystem grown into it, as Raspberry Pi OS does on its first boot (nspawn runs neither an initramfs
# nor raspberrypi-sys-mods); the root is loop-mounted, the boot partition copied out with mtools (no vfat in this
# kernel) and bound where fstab mounts it. Everything lives below $work; nspawn_cleanup undoes it all, also after
# Ctrl-C.
#
# One container (firstboot-e2e.sh, cloud-init-boot.sh) shares the host's network: apt reaches Debian's archive, and
# its ports are the host's. Several at once (fleet-e2e.sh) each get a network namespace of their own, joined by veth
# pairs with loopback-range addresses (netns_add, netns_link): two sshd on :22 cannot share one network.
#
# The caller sets: work (a directory), card (a size for truncate, e.g. 16G), keep (0 or 1).
# One container: nspawn_prepare IMAGE sets disk, root, boot, loop; nspawn_boot LOG starts it (nspawn_pid);
# nspawn_stop powers it off. It is the machine named "main" of the functions below.
# Several: machine_prepare NAME IMAGE DIR, machine_boot NAME LOG, machine_stop NAME; their paths and process are in
# m_disk[NAME], m_root, m_boot, m_loop, m_pid; machine_exec NAME CMD... runs CMD inside the running container.
# shellcheck disable=SC2154 # work, card and keep are the caller's

loop=
nspawn_pid=
t0=${t0:-$(date +%s)}
machines=()
declare -A m_disk=() m_root=() m_boot=() m_loop=() m_pid=() m_netns=()
netns_made=()
veth_made=()

log() { printf '[%5ds] %s\n' "$(( $(date +%s) - t0 ))" "$*" >&2; }

nspawn_require() {
  [ "$(id -u)" = 0 ] || { echo "$0: needs root (loop mounts, systemd-nspawn)" >&2; exit 2; }
  local tool
  for tool in systemd-nspawn losetup sfdisk e2fsck resize2fs mcopy xz curl jq; do
    command -v "$tool" >/dev/null || { echo "$0: $tool missing" >&2; exit 2; }
  done
}

# machine_prepare NAME IMAGE DIR: DIR/disk.img, the root mounted on DIR/root, the boot partition's files in DIR/boot.
machine_prepare() {
  local name=$1 image=$2 dir=$3 disk root boot loop p1_start p2_start p2_size
  export LC_ALL=C MTOOLS_SKIP_CHECK=1
  disk=$dir/disk.img
  root=$dir/root
  boot=$dir/boot
  machines+=("$name")
  m_disk[$name]=$disk
  m_root[$name]=$root
  m_boot[$name]=$boot
  mkdir -p "$dir"
  log "decoding $image"
  xz -dc "$image" | dd of="$disk" bs=1M conv=sparse status=none
  truncate -s "$card" "$disk"
  echo ", +" | sfdisk --quiet --no-reread --no-tell-kernel -N 2 "$disk"
  read -r p1_start _ < <(sfdisk -d "$disk" | sed -n 's/.*: start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p' | sed -n 1p)
  read -r p2_start p2_size < <(sfdisk -d "$disk" | sed -n 's/.*: start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p' | sed -n 2p)
  loop=$(losetup --find --show --offset $((p2_start * 512)) --sizelimit $((p2_size * 512)) "$disk")
  m_loop[$name]=$loop
  e2fsck -fp "$loop" >/dev/null
  resize2fs "$loop" >/dev/null 2>&1
  mkdir -p "$root" "$boot"
  mount "$loop" "$root"
  log "card $card, root filesystem grown to $(df -h --output=size "$root" | tail -n 1 | tr -d ' ')"
  mcopy -s -n -i "$disk@@$((p1_start * 512))" '::/*' "$boot/"
}

# machine_boot NAME LOG: with m_netns[NAME] set, in that network namespace; else in the host's network.
machine_boot() {
  local name=$1 console=$2 net=()
  if [ -n "${m_netns[$name]:-}" ]; then net=(--network-namespace-path="/run/netns/${m_netns[$name]}"); fi
  systemd-nspawn --boot --register=no --keep-unit --quiet --console=pipe -D "${m_root[$name]}" \
    --bind="${m_boot[$name]}:/boot/firmware" "${net[@]}" </dev/null >>"$console" 2>&1 &
  m_pid[$name]=$!
}

machine_running() {
  [ -n "${m_pid[$1]:-}" ] && kill -0 "${m_pid[$1]}" 2>/dev/null
}

# The container's init: nspawn's only child once it booted (--register=no, so no machined to ask).
machine_leader() {
  local pid
  machine_running "$1" || return 1
  pid=$(ps -o pid= --ppid "${m_pid[$1]}" | head -n 1 | tr -d ' ')
  [ -n "$pid" ] && echo "$pid"
}

# Runs a command inside the running container, with its mounts, host name, IPC, network and processes.
machine_exec() {
  local name=$1 pid
  shift
  pid=$(machine_leader "$name") || { log "$name: no running container"; return 125; }
  nsenter -t "$pid" -m -u -i -n -p -- "$@"
}

# SIGTERM to nspawn powers the container off (its --kill-signal is SIGRTMIN+3 under --boot); SIGKILL if it hangs.
# With several names, all are asked at once and waited for together.
machine_stop() {
  local name pids=() pid
  for name in "$@"; do
    if [ -n "${m_pid[$name]:-}" ]; then pids+=("${m_pid[$name]}"); fi
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 120); do
    alive=0
    for pid in "${pids[@]}"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
    [ "$alive" = 1 ] || break
    sleep 1
  done
  for name in "$@"; do
    pid=${m_pid[$name]:-}
    [ -n "$pid" ] || continue
    if kill -0 "$pid" 2>/dev/null; then
      if [ "$name" = main ]; then log "container did not power off in 120 s; killing it"
      else log "container $name did not power off in 120 s; killing it"; fi
      kill -KILL "$pid"
    fi
    wait "$pid" || true
    m_pid[$name]=
  done
}

# ---- one container: the names firstboot-e2e.sh and cloud-init-boot.sh use --------------------------------------
nspawn_prepare() {
  machine_prepare main "$1" "$work"
  disk=${m_disk[main]}
  root=${m_root[main]}
  boot=${m_boot[main]}
  loop=${m_loop[main]}
}

nspawn_boot() {
  machine_boot main "$1"
  nspawn_pid=${m_pid[main]}
}

nspawn_stop() {
  machine_stop main
  # shellcheck disable=SC2034 # the callers read it
  nspawn_pid=
}

# ---- network namespaces ---------------------------------------------------------------------------------------
# netns_add NS: a network namespace with its loopback up, removed by nspawn_cleanup.
netns_add() {
  ip netns add "$1"
  netns_made+=("$1")
  ip -n "$1" link set lo up
}

# netns_link NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B: a veth pair between two namespaces, addresses from 127.0.0.0/8 in
# one /24 (e.g. 127.77.0.1 and 127.77.0.2), so no packet of the test can be meant for a real network. Two things
# stand in the way of loopback addresses on a wire, and each is lifted for that device and /24 only:
# - routing: the namespace's lo keeps 127.0.0.1/8, whose "local 127.0.0.0/8" route in table local is looked up
#   before any other; a more specific unicast route in that same table sends the /24 to the veth instead (longest
#   match), while 127.0.0.1, Debian's 127.0.1.1 and the rest of 127/8 stay local as on a real Pi;
# - the kernel drops packets from or to 127/8 arriving on a device other than lo as martians unless the device has
#   route_localnet=1 (a per-namespace sysctl; the host's is untouched).
netns_link() {
  local ns_a=$1 dev_a=$2 addr_a=$3 ns_b=$4 dev_b=$5 addr_b=$6 ns dev addr
  ip link add "$dev_a" type veth peer name "$dev_b"
  veth_made+=("$dev_a")
  ip link set "$dev_a" netns "$ns_a"
  ip link set "$dev_b" netns "$ns_b"
  for ns in "$ns_a" "$ns_b"; do
    if [ "$ns" = "$ns_a" ]; then dev=$dev_a addr=$addr_a; else dev=$dev_b addr=$addr_b; fi
    ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$dev.route_localnet=1"
    ip -n "$ns" addr add "$addr/24" dev "$dev"
    ip -n "$ns" link set "$dev" up
    ip -n "$ns" route add "${addr%.*}.0/24" dev "$dev" table local src "$addr"
  done
}

# ---- cleanup ----------------------------------------------------------------------------------------------------
nspawn_cleanup() {
  local rc=$? name ns dev
  # A second Ctrl-C (the terminal sends it to nspawn too) must not cut the cleanup short and leave mounts behind.
  trap - EXIT
  trap '' INT TERM
  machine_stop "${machines[@]}"
  for name in "${machines[@]}"; do
    if mountpoint -q "${m_root[$name]}"; then umount "${m_root[$name]}" || umount -l "${m_root[$name]}"; fi
    if [ -n "${m_loop[$name]:-}" ]; then losetup -d "${m_loop[$name]}" || log "losetup -d ${m_loop[$name]} failed"; fi
  done
  # A namespace goes when its last process has; its veth end with it, and the peer with that. A veth not yet
  # moved (an interrupted netns_link) is still the host's.
  for ns in "${netns_made[@]}"; do ip netns del "$ns" || log "ip netns del $ns failed"; done
  for dev in "${veth_made[@]}"; do
    if ip link show "$dev" >/dev/null 2>&1; then ip link del "$dev" || log "ip link del $dev failed"; fi
  done
  if [ "${keep:-0}" = 0 ]; then
    rm -rf --one-file-system "$work"
  else
    log "kept $work"
  fi
  exit "$rc"
}

nspawn_traps() {
  trap nspawn_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

fails=0
check() {  # NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then printf '  ok    %s\n' "$name"; else printf '  FAIL  %s\n' "$name"; fails=$((fails + 1)); fi
}
