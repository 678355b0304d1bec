#!/usr/bin/env bash
# Stops the local cluster started by src/ci/cluster/up.sh and puts the host back as up.sh found it: no process,
# container, shim, mount, cgroup, bridge, route, iptables chain or rule, or sysctl change of the cluster remains; host
# dirs that up.sh found missing (/run/containerd, /var/lib/cni, ...) are removed. WORKDIR keeps logs/ and pki/.
# It touches only what is the cluster's: the processes up.sh recorded and everything in the cgroup subtree they and
# the containers live in (never a process found by its command line); the iptables chains, rules and nfacct counters
# up.sh recorded as its own or kube-proxy's (lib.sh: never by a name pattern); a sysctl only while it still has the
# value the cluster gave it.
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
stop kube-proxy 5
stop kube-scheduler 5
stop kube-controller-manager 5
# containers: everything in the cgroup root outside $HOST_CGROUP (pod sandboxes, apps), then containerd
for _ in 1 2 3; do mapfile -t pids < <(pids_of_containers); kill_all "${pids[@]}"; done
stop containerd 10
stop kube-apiserver 10
stop etcd 10
# what is left in the subtree: the shims (containerd's children, re-parented), anything a killed run left running
for _ in 1 2 3; do mapfile -t pids < <(pids_in_cgroup_root); kill_all "${pids[@]}"; done

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

# network: the bridge (pod veths went with their namespaces; the ClusterIP route goes with it), then netfilter:
# up.sh's rule and chain, kube-proxy's (its own --cleanup), and what that cleanup leaves, as recorded by up.sh
ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
if [[ -f $STATE_DIR/apiserver-port ]]; then
  port=$(cat "$STATE_DIR/apiserver-port")
  while iptables -w -D INPUT -p tcp --dport "$port" -j "$APISERVER_CHAIN" 2>/dev/null; do :; done
  iptables -w -F "$APISERVER_CHAIN" 2>/dev/null && iptables -w -X "$APISERVER_CHAIN"
fi
if [[ -f $STATE_DIR/kube-proxy-started && -x $K8S_BIN/kube-proxy ]]; then
  "$K8S_BIN/kube-proxy" --cleanup > "$work/logs/kube-proxy-cleanup.log" 2>&1 || true
  for ipt in iptables ip6tables; do
    chain_absent_before $ipt "$KUBE_PROXY_KEPT_CHAIN" || continue
    for from in INPUT OUTPUT; do
      while $ipt -w -D $from -j "$KUBE_PROXY_KEPT_CHAIN" 2>/dev/null; do :; done
    done
    $ipt -w -F "$KUBE_PROXY_KEPT_CHAIN" 2>/dev/null && $ipt -w -X "$KUBE_PROXY_KEPT_CHAIN"
  done
  for c in $KUBE_PROXY_COUNTERS; do
    counter_absent_before "$c" && nfacct get "$c" >/dev/null 2>&1 && nfacct delete "$c"
  done
fi

# sysctls the kubelet and the CNI bridge plugin set: back to the value found before, unless changed since
sysctl_set_by_us() { local kv; for kv in $SYSCTLS; do [[ ${kv%%=*} == "$1" ]] && echo "${kv#*=}"; done; }
if [[ -f $STATE_DIR/sysctls ]]; then
  while IFS='=' read -r key value; do
    now=$(sysctl -n "$key" 2>/dev/null) || continue
    if [[ $now != "$value" && $now == "$(sysctl_set_by_us "$key")" ]]; then
      sysctl -q -w "$key=$value" >/dev/null
    elif [[ $now != "$value" ]]; then
      log "sysctl $key is $now (was $value before up.sh, the cluster sets $(sysctl_set_by_us "$key")): changed by someone else, left alone"
    fi
  done < "$STATE_DIR/sysctls"
fi

# host dirs that did not exist before up.sh; in ones that did, only this cluster's CNI records
if [[ -f $STATE_DIR/created-dirs ]]; then
  while read -r d; do
    [[ -n $d && -e $d && -z $(mounts_under "$d") ]] && rm -rf "$d"
  done < "$STATE_DIR/created-dirs"
fi
rm -rf /var/lib/cni/networks/"$CNI_NETWORK" /var/lib/cni/results/"$CNI_NETWORK"-* 2>/dev/null

# WORKDIR (only one up.sh made): keep logs and certificates, drop the data (container layers, etcd, volumes)
if [[ -f $work/$WORKDIR_MARKER && -z $(mounts_under "$work") ]]; then
  rm -rf "$work/containerd/root" "$work/containerd/state" "$work/containerd/runc" "$work/kubelet" "$work/etcd" \
    "$work/images" "$work/cni/ipam" "$work/volumes"
fi

# what is left?
left=()
for f in "$work"/pids/*; do
  [[ -f $f ]] && alive "$(cat "$f")" && left+=("process ${f##*/} ($(cat "$f"))")
done
p=$(pids_in_cgroup_root | tr '\n' ' '); [[ -z $p ]] || left+=("processes in cgroup $CGROUP_ROOT: $p")
for m in $(cgroup_mounts); do [[ -d $m/$CGROUP_ROOT ]] && left+=("cgroup $m/$CGROUP_ROOT"); done
p=$(mounts_under "$work" | tr '\n' ' '); [[ -z $p ]] || left+=("mounts: $p")
ip link show "$BRIDGE" >/dev/null 2>&1 && left+=("bridge $BRIDGE")
if [[ -f $STATE_DIR/sysctls ]]; then
  while IFS='=' read -r key value; do
    now=$(sysctl -n "$key" 2>/dev/null) || continue
    [[ $now == "$value" || $now != "$(sysctl_set_by_us "$key")" ]] || left+=("sysctl $key=$now (was $value)")
  done < "$STATE_DIR/sysctls"
fi
for ipt in iptables ip6tables; do
  for t in filter nat mangle raw; do
    p=$(new_cluster_chains $ipt $t | tr '\n' ' ')
    [[ -z $p ]] || left+=("$ipt -t $t chains new since up.sh that no record covers (not removed): $p")
  done
done
for c in $KUBE_PROXY_COUNTERS; do
  counter_absent_before "$c" && nfacct get "$c" >/dev/null 2>&1 && left+=("nfacct counter $c")
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
