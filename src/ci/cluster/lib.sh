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
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
kernel.keys.root_maxbytes net.ipv4.ip_forward"   # set by the kubelet (protectKernelDefaults=false) and CNI bridge
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

# this shell and its ancestors (never killed, even when their command line names the work dir)
ancestors() {
  local pid=$BASHPID
  while [[ -n $pid && $pid != 0 ]]; do
    echo "$pid"
    pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  done
}

# pids (other than ours) whose command line mentions $1
pids_mentioning() {
  local needle=$1 d pid skip
  skip=" $(ancestors | tr '\n' ' ') "
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ $skip == *" $pid "* ]] && continue
    if tr '\0' ' ' 2>/dev/null < "$d/cmdline" | grep -F -- "$needle" >/dev/null; then echo "$pid"; fi
  done
}

# pids inside the kubelet's cgroup root (the containers and their shims' children), in any hierarchy
pids_in_cgroup_root() {
  local m
  for m in $(cgroup_mounts); do
    [[ -d $m/$CGROUP_ROOT ]] && find "$m/$CGROUP_ROOT" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;; aarch64) echo arm64 ;; *) uname -m ;;
  esac
}
