# shellcheck shell=bash disable=SC2034  # sourced: the names below are used by the scripts that source it
# Shared by up.sh, down.sh and image.sh (sourced, not run). One local single-node cluster per machine at a time:
# its fixed host-side names (cgroup root, bridge, state dir) let down.sh find and remove the leftovers of a run that
# died without tearing down, even when its work directory is gone.

# Host-wide names (fixed, so that leftovers can be found).
STATE_DIR=/run/integcov-cluster          # what the running cluster changed on the host (tmpfs: gone after a reboot)
CGROUP_ROOT=integcov-e2e                 # the kubelet's cgroupRoot, created in every cgroup hierarchy
BRIDGE=integcov0                         # the pods' bridge (CNI bridge plugin), created before the first pod
POD_SUBNET=10.222.0.0/24                 # the pods' addresses; no masquerade, no default route
BRIDGE_IP=10.222.0.1                     # the host on the bridge: host services for pods bind here
BRIDGE_MAC=02:42:0a:de:00:01            # the bridge's own fixed address (locally administered; see up.sh)
CNI_NETWORK=integcov-e2e                 # CNI network name (host-local IPAM and result cache keys)
NODE_NAME=localhost                      # the kubelet refuses a loopback node IP; the apiserver reaches it by name
SERVICE_CIDR=10.96.0.0/16               # ClusterIPs (kube-proxy, iptables mode); pods and the host route it to the bridge
API_SERVICE_IP=10.96.0.1                 # the `kubernetes` Service
DNS_SERVICE_IP=10.96.0.10                # the `kube-dns` Service (CoreDNS), the kubelet's clusterDNS
CLUSTER_DOMAIN=cluster.local
WORKDIR_MARKER=.integcov-cluster-workdir # up.sh deletes an existing WORKDIR only if it holds this file
HOST_CGROUP=$CGROUP_ROOT/host            # the cluster's host processes (etcd ... containerd and its shims) live here
# key=value: each sysctl the kubelet (protectKernelDefaults=false) and the CNI bridge plugin set, with the value they
# set. down.sh restores the value found before up.sh only while the sysctl still has this value (else someone else
# changed it since, and it is left alone). kube-proxy is configured to set none (conntrack: 0, localhostNodePorts).
SYSCTLS="vm.overcommit_memory=1 vm.panic_on_oom=0 kernel.panic=10 kernel.panic_on_oops=1
kernel.keys.root_maxkeys=1000000 kernel.keys.root_maxbytes=25000000 net.ipv4.ip_forward=1"
# What the cluster adds to netfilter, each removed by down.sh from up.sh's record, never found by a name pattern:
# - up.sh's own chain $APISERVER_CHAIN (filter) and the one INPUT rule for the apiserver's port ($STATE_DIR/apiserver-port);
# - kube-proxy's chains and rules, which `kube-proxy --cleanup` removes except its chain $KUBE_PROXY_KEPT_CHAIN (filter,
#   both families: left empty, still jumped to from INPUT and OUTPUT) and its nfacct counters $KUBE_PROXY_COUNTERS;
#   down.sh removes those by name, and only the ones up.sh found absent (the chain lists $STATE_DIR/chains.*, and
#   $STATE_DIR/counters-absent for the counters).
# The kubelet (makeIPTablesUtilChains: false) and the CNI bridge plugin (ipMasq: false, no portmap) add none.
# down.sh's final check reports (never removes) any chain with these prefixes that is new since up.sh.
APISERVER_CHAIN=INTEGCOV-APISERVER
KUBE_PROXY_KEPT_CHAIN=KUBE-FIREWALL
KUBE_PROXY_COUNTERS="ct_state_invalid_dropped_pkts localhost_nps_accepted_pkts"
CLUSTER_CHAINS_RE='^(KUBE|CNI|INTEGCOV)-'
HOST_DIRS="/run/containerd /var/lib/cni /var/lib/kubelet /run/netns /etc/cni /opt/cni"  # removed if we created them

CNI_BIN_DIR=${CNI_BIN_DIR:-/usr/lib/cni}
INTEGCOV_CACHE=${INTEGCOV_CACHE:-$HOME/.cache/integcov}
K8S_BIN=${K8S_BIN:-$INTEGCOV_CACHE/bin}

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# the cgroup mount points (v1 hierarchies and, in hybrid mode, the unified one)
cgroup_mounts() { awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo | sort -u; }

# mount points at or below $1, deepest first
mounts_under() {
  local prefix=${1%/}
  awk -v p="$prefix" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r -u
}

# true while the process exists and is not a zombie
alive() { [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# pids inside the cgroup root (all of the cluster: host processes, shims, containers), in any hierarchy;
# with an argument, only those in the cgroups at or below $CGROUP_ROOT/$1
pids_in_cgroup_root() {
  local m dir
  for m in $(cgroup_mounts); do
    dir=$m/$CGROUP_ROOT${1:+/$1}
    [[ -d $dir ]] && find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

# pids inside the cgroup root but not in $HOST_CGROUP: the containers (pods' sandboxes and apps)
pids_of_containers() { comm -23 <(pids_in_cgroup_root) <(pids_in_cgroup_root "${HOST_CGROUP#"$CGROUP_ROOT"/}"); }

# the chains of an iptables table ($1 iptables|ip6tables, $2 table), built-in ones included
ipt_chains() { "$1" -w -t "$2" -S 2>/dev/null | awk '$1 == "-P" || $1 == "-N" { print $2 }'; }

# chains with the cluster's prefixes in table $2 of $1 that were not there before up.sh (for down.sh's check)
new_cluster_chains() {
  local before=$STATE_DIR/chains.$1.$2
  [[ -f $before ]] || return 0
  ipt_chains "$1" "$2" | grep -E "$CLUSTER_CHAINS_RE" | grep -vxF -f "$before"
}

# true when up.sh recorded that filter chain $2 of $1 (iptables|ip6tables) did not exist before it
chain_absent_before() { [[ -f $STATE_DIR/chains.$1.filter ]] && ! grep -qxF "$2" "$STATE_DIR/chains.$1.filter"; }

# true when up.sh recorded that nfacct counter $1 did not exist before it
counter_absent_before() { [[ -f $STATE_DIR/counters-absent ]] && grep -qxF "$1" "$STATE_DIR/counters-absent"; }

# a TCP port on 127.0.0.1 for a cluster process: below the kernel's ephemeral range (so no outgoing connection is
# given it meanwhile) and used by no socket now (/proc/net/tcp*: any state); $1.. ports already handed out
free_port() {
  local lo p tries
  read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range
  (( lo > 11000 )) || die "the ephemeral port range starts at $lo: no room below it for the cluster's ports"
  local used=" $* " addr
  while read -r _ addr _; do used+="$((16#${addr##*:})) "; done < <(tail -q -n +2 /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  for ((tries = 0; tries < 1000; tries++)); do
    p=$((10000 + RANDOM % (lo - 10000)))
    [[ $used == *" $p "* ]] || { echo "$p"; return 0; }
  done
  die "no free port found below $lo"
}

arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;; aarch64) echo arm64 ;; *) uname -m ;;
  esac
}
