#!/usr/bin/env bash
# Stops the local cluster started by src/ci/cluster/up.sh and puts the host back as up.sh found it: no process,
# container, shim, mount, cgroup, bridge, iptables chain or sysctl change of the cluster remains; host dirs that
# up.sh found missing (/run/containerd, /var/lib/cni, ...) are removed. WORKDIR keeps logs/ and pki/.
#
#   src/ci/cluster/down.sh
#
# Works from the host-side record in /run/integcov-cluster, so it also cleans up after a run that was killed.
# Exits 1 and lists what is left if anything could not be removed (up.sh then tries again first).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

if [[ ! -d $STATE_DIR ]]; then
  log "no local cluster to stop"
  exit 0
fi
work=$(cat "$STATE_DIR/workdir" 2>/dev/null || true)
[[ -n $work && $work == /* && $work != / ]] || die "$STATE_DIR/workdir does not name a work directory"

stop() { # name grace-seconds: SIGTERM the recorded process, SIGKILL after the grace period
  local pidfile=$work/pids/$1 pid i
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if alive "$pid" && tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -F -- "$1" >/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < $2 * 10; i++)); do alive "$pid" || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
}
kill_all() { # pids...: SIGKILL and wait until gone
  local pid i any
  (($#)) || return 0
  kill -KILL "$@" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    any=0
    for pid in "$@"; do alive "$pid" && any=1; done
    ((any)) || return 0
    sleep 0.1
  done
}

# the node agent first (so that it restarts nothing), then the control loops
stop kubelet 10
stop kube-scheduler 5
stop kube-controller-manager 5
# containers: everything in the kubelet's cgroup root (pod sandboxes, apps), then the shims, then containerd
for _ in 1 2 3; do kill_all $(pids_in_cgroup_root); done
stop containerd 10
kill_all $(pids_mentioning "$work/containerd")
stop kube-apiserver 10
stop etcd 10
kill_all $(pids_mentioning "$work")

# mounts: container root filesystems, volumes, network namespaces (all under WORKDIR)
for _ in 1 2 3; do
  for m in $(mounts_under "$work"); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  [[ -z $(mounts_under "$work") ]] && break
done

# cgroups, deepest first
for m in $(cgroup_mounts); do
  [[ -d $m/$CGROUP_ROOT ]] || continue
  for _ in 1 2 3 4 5; do
    find "$m/$CGROUP_ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d $m/$CGROUP_ROOT ]] || break
    sleep 0.2
  done
done

# network: the bridge (pod veths went with their namespaces), iptables chains created since up.sh
ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
for ipt in iptables ip6tables; do
  command -v $ipt >/dev/null || continue
  for t in filter nat mangle; do
    before=$STATE_DIR/chains.$ipt.$t
    [[ -f $before ]] || continue
    for chain in $($ipt -t $t -S 2>/dev/null | awk '$1 == "-N" { print $2 }' | grep -vxF -f "$before"); do
      # rules jumping to the chain, then the chain itself
      $ipt -t $t -S 2>/dev/null | grep -E -- "-j $chain( |\$)" | sed 's/^-A /-D /' | while read -r rule; do
        eval "$ipt -t $t $rule" 2>/dev/null
      done
      $ipt -t $t -F "$chain" 2>/dev/null; $ipt -t $t -X "$chain" 2>/dev/null
    done
  done
done

# sysctls the kubelet and the CNI bridge plugin set
if [[ -f $STATE_DIR/sysctls ]]; then
  while IFS='=' read -r key value; do sysctl -q -w "$key=$value" >/dev/null 2>&1; done < "$STATE_DIR/sysctls"
fi

# host dirs that did not exist before up.sh; in ones that did, only this cluster's CNI records
if [[ -f $STATE_DIR/created-dirs ]]; then
  while read -r d; do
    [[ -n $d && -e $d && -z $(mounts_under "$d") ]] && rm -rf "$d"
  done < "$STATE_DIR/created-dirs"
fi
rm -rf /var/lib/cni/networks/"$CNI_NETWORK" /var/lib/cni/results/"$CNI_NETWORK"-* 2>/dev/null

# WORKDIR: keep logs and certificates, drop the data (container layers, etcd, volumes)
if [[ -z $(mounts_under "$work") ]]; then
  rm -rf "$work/containerd/root" "$work/containerd/state" "$work/containerd/runc" "$work/kubelet" "$work/etcd" \
    "$work/images" "$work/cni/ipam"
fi

# what is left?
left=()
p=$(pids_mentioning "$work" | tr '\n' ' '); [[ -z $p ]] || left+=("processes: $p")
p=$(pids_in_cgroup_root | tr '\n' ' '); [[ -z $p ]] || left+=("processes in cgroup $CGROUP_ROOT: $p")
for m in $(cgroup_mounts); do [[ -d $m/$CGROUP_ROOT ]] && left+=("cgroup $m/$CGROUP_ROOT"); done
p=$(mounts_under "$work" | tr '\n' ' '); [[ -z $p ]] || left+=("mounts: $p")
ip link show "$BRIDGE" >/dev/null 2>&1 && left+=("bridge $BRIDGE")
if [[ -f $STATE_DIR/sysctls ]]; then
  while IFS='=' read -r key value; do
    [[ $(sysctl -n "$key") == "$value" ]] || left+=("sysctl $key=$(sysctl -n "$key") (was $value)")
  done < "$STATE_DIR/sysctls"
fi
for ipt in iptables ip6tables; do
  command -v $ipt >/dev/null || continue
  for t in filter nat mangle; do
    [[ -f $STATE_DIR/chains.$ipt.$t ]] || continue
    p=$($ipt -t $t -S 2>/dev/null | awk '$1 == "-N" { print $2 }' | grep -vxF -f "$STATE_DIR/chains.$ipt.$t" | tr '\n' ' ')
    [[ -z $p ]] || left+=("$ipt -t $t chains: $p")
  done
done
if [[ -f $STATE_DIR/created-dirs ]]; then
  while read -r d; do [[ -n $d && -e $d ]] && left+=("directory $d"); done < "$STATE_DIR/created-dirs"
fi
if ((${#left[@]})); then
  log "could not remove everything of the local cluster in $work (run src/ci/cluster/down.sh again):"
  printf '  %s\n' "${left[@]}" >&2
  exit 1
fi
rm -rf "$STATE_DIR"
log "stopped; the host is as before (logs in $work/logs)"
