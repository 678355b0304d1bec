#!/usr/bin/env bash
# Starts a real single-node Kubernetes cluster on this machine, like kind, with its state under WORKDIR: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet (node "localhost"), kube-proxy (iptables mode) and
# containerd + runc, pods on a CNI bridge; CoreDNS as a pod behind the kube-dns Service; a default StorageClass
# `standard` with hostPath PersistentVolumes. No registry: images are imported with src/ci/cluster/image.sh (use
# imagePullPolicy: Never).
#
#   src/ci/cluster/up.sh WORKDIR      (as root; the binaries from src/ci/build-k8s.sh, containerd, runc, CNI plugins)
#
# Prints nothing on stdout but the path of WORKDIR/cluster.env (API_URL, CA_FILE, ADMIN_TOKEN, ADMIN_KUBECONFIG,
# BRIDGE_IP, KUBECTL, ...) once the node is Ready and CoreDNS answers. WORKDIR must be new, empty, or one that up.sh
# made before (it holds the marker file .integcov-cluster-workdir): it is emptied first. Logs: WORKDIR/logs/*.log. Stop it with src/ci/cluster/down.sh.
# A previous cluster that was never torn down (killed test run) is removed first; one whose owner process
# (INTEGCOV_CLUSTER_OWNER, default: the caller) still runs is left alone and up.sh fails. If start-up fails,
# everything started so far is torn down again (the logs stay).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
source "$here/lib.sh"

[[ $# -eq 1 ]] || die "usage: up.sh WORKDIR"
work=$(realpath -m "$1")
[[ $(id -u) == 0 ]] || die "must run as root (kubelet, containerd and runc manage cgroups, mounts and network namespaces)"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns; do
  [[ -x $K8S_BIN/$b ]] || die "$K8S_BIN/$b missing: build it with src/ci/build-k8s.sh"
done
for c in containerd containerd-shim-runc-v2 runc ctr iptables ip6tables nfacct ip jq openssl curl go setsid; do
  command -v "$c" >/dev/null || die "$c not found (apt-get install containerd runc containernetworking-plugins iptables nfacct jq openssl curl util-linux iproute2)"
done
for p in bridge host-local loopback; do
  [[ -x $CNI_BIN_DIR/$p ]] || die "CNI plugin $CNI_BIN_DIR/$p missing (apt-get install containernetworking-plugins, or set CNI_BIN_DIR)"
done
[[ -n $(cgroup_mounts) ]] || die "no cgroup hierarchy mounted under /sys/fs/cgroup"

# the process the cluster belongs to (the test JVM, or the shell that ran up.sh): while it lives, the cluster is in use
owner=${INTEGCOV_CLUSTER_OWNER:-$PPID}
if [[ -d $STATE_DIR ]]; then
  previous=$(cat "$STATE_DIR/workdir" 2>/dev/null || echo '?')
  prev_owner=$(cat "$STATE_DIR/owner" 2>/dev/null || true)
  if [[ -n $prev_owner ]] && alive "$prev_owner"; then
    die "a local cluster ($previous) is in use by process $prev_owner; wait for it, or stop it with src/ci/cluster/down.sh"
  fi
  log "a previous local cluster ($previous) was not torn down and its owner is gone: removing it first"
  "$here/down.sh"
fi
[[ -z $(mounts_under "$work") ]] || die "$work still has mounts: $(mounts_under "$work" | head -3 | tr '\n' ' ')"
if [[ -e $work || -L $work ]]; then
  [[ -d $work && ! -L $work ]] || die "$work exists and is not a directory"
  if [[ -f $work/$WORKDIR_MARKER ]]; then
    rm -rf "$work"
  elif [[ -n $(ls -A "$work") ]]; then
    die "$work is not empty and was not made by up.sh (no $WORKDIR_MARKER in it): refusing to delete it; give a new or empty directory"
  fi
fi
mkdir -p "$work"/{logs,pids,pki,kubelet,containerd,cni/net.d,cni/ipam,images,pod-logs,volumes}
echo "made by src/ci/cluster/up.sh: up.sh deletes and remakes this directory on its next start here" > "$work/$WORKDIR_MARKER"
# kube-proxy would take over another kube-proxy's chains on this host (a real node); down.sh would then remove them
if iptables -w -t nat -S KUBE-SERVICES >/dev/null 2>&1; then
  die "iptables chain KUBE-SERVICES exists: another kube-proxy (or a cluster that down.sh did not remove) runs on this host"
fi
if iptables -w -t filter -S "$APISERVER_CHAIN" >/dev/null 2>&1; then
  die "iptables chain $APISERVER_CHAIN exists but no local cluster is recorded in $STATE_DIR: not ours to take over or remove"
fi

# --- record what the host looked like, before changing anything (down.sh puts it back) ---
mkdir -p "$STATE_DIR"
echo "$work" > "$STATE_DIR/workdir"
echo "$owner" > "$STATE_DIR/owner"
on_exit() {
  local rc=$?
  if [[ $rc != 0 ]]; then log "start-up failed (logs in $work/logs): tearing down"; "$here/down.sh" || true; fi
}
trap on_exit EXIT
: > "$STATE_DIR/created-dirs"
for d in $HOST_DIRS; do [[ -e $d ]] || echo "$d" >> "$STATE_DIR/created-dirs"; done
for kv in $SYSCTLS; do echo "${kv%%=*}=$(sysctl -n "${kv%%=*}")"; done > "$STATE_DIR/sysctls"
for ipt in iptables ip6tables; do
  for t in filter nat mangle raw; do ipt_chains $ipt $t > "$STATE_DIR/chains.$ipt.$t" || true; done
done
for c in $KUBE_PROXY_COUNTERS; do
  nfacct get "$c" >/dev/null 2>&1 || echo "$c"
done > "$STATE_DIR/counters-absent"

# --- cgroups: the kubelet's cgroupRoot in every hierarchy (cgroup v1 needs it to exist), and in it $HOST_CGROUP for
# the processes up.sh starts: everything of the cluster is then in one subtree, where down.sh finds it (shims too) ---
for m in $(cgroup_mounts); do
  for d in "$CGROUP_ROOT" "$HOST_CGROUP"; do
    mkdir -p "$m/$d"
    if [[ -f $m/cpuset.cpus ]]; then
      cat "$m/cpuset.cpus" > "$m/$d/cpuset.cpus"
      cat "$m/cpuset.mems" > "$m/$d/cpuset.mems"
    fi
  done
done

# --- the pods' bridge, up before the first pod so that host services for pods can bind to $BRIDGE_IP now ---
# A bridge without an address of its own takes the lowest MAC of its ports and changes it when that port leaves:
# every other pod then keeps the gateway's old MAC and cannot reach $BRIDGE_IP until its neighbour entry expires
# (30-50 s). A fixed, locally administered address (as docker0 has) never moves.
ip link add "$BRIDGE" address "$BRIDGE_MAC" type bridge
ip addr add "$BRIDGE_IP/${POD_SUBNET#*/}" dev "$BRIDGE"
ip link set "$BRIDGE" up
# ClusterIPs: the host's own connections to them (kube-apiserver calling a webhook through its Service, the tests)
# need a route before kube-proxy's OUTPUT rules rewrite them; the route goes with the bridge
ip route add "$SERVICE_CIDR" dev "$BRIDGE" src "$BRIDGE_IP"

# --- ports, tokens, certificates ---
ports=()
for _ in etcd etcd-peer apiserver kubelet proxy-healthz proxy-metrics; do ports+=("$(free_port "${ports[@]}")"); done
etcd_port=${ports[0]} etcd_peer=${ports[1]} api_port=${ports[2]} kubelet_port=${ports[3]}
proxy_healthz_port=${ports[4]} proxy_metrics_port=${ports[5]}
token() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
admin_token=$(token); kubelet_token=$(token); kcm_token=$(token); sched_token=$(token); proxy_token=$(token)

pki=$work/pki
(
  cd "$pki"
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -out ca.crt -days 3 -subj "/CN=integcov-local-cluster-ca" 2>/dev/null
  issue() { # name subject extendedKeyUsage [subjectAltName]
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    { echo "extendedKeyUsage=$3"; [[ -z ${4:-} ]] || echo "subjectAltName=$4"; } > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
  }
  issue apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:$BRIDGE_IP,IP:$API_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue kubelet "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:127.0.0.1"
  issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  openssl genrsa -out sa.key 2048 2>/dev/null
  {
    echo "$admin_token,integcov-admin,integcov-admin,\"system:masters\""
    echo "$kubelet_token,system:node:$NODE_NAME,system:node:$NODE_NAME,\"system:nodes\""
    echo "$kcm_token,system:kube-controller-manager,system:kube-controller-manager"
    echo "$sched_token,system:kube-scheduler,system:kube-scheduler"
    echo "$proxy_token,system:kube-proxy,system:kube-proxy"
  } > tokens.csv
  chmod 600 ./*.key tokens.csv
)
api_url=https://127.0.0.1:$api_port
kubeconfig() { # file user token: written by kubectl itself (mode 0600), one cluster, user and context
  local config=("$K8S_BIN/kubectl" config --kubeconfig="$1")
  (
    umask 077
    "${config[@]}" set-cluster integcov-local --server="$api_url" --certificate-authority="$pki/ca.crt" --embed-certs
    "${config[@]}" set-credentials "$2" --token="$3"
    "${config[@]}" set-context integcov-local --cluster=integcov-local --user="$2" --namespace=default
    "${config[@]}" use-context integcov-local
  ) >/dev/null
}
kubeconfig "$work/admin.kubeconfig" integcov-admin "$admin_token"
kubeconfig "$work/kubelet.kubeconfig" "system:node:$NODE_NAME" "$kubelet_token"
kubeconfig "$work/controller-manager.kubeconfig" system:kube-controller-manager "$kcm_token"
kubeconfig "$work/scheduler.kubeconfig" system:kube-scheduler "$sched_token"
# kube-proxy: user system:kube-proxy, bound to ClusterRole system:node-proxier by the bootstrap RBAC
kubeconfig "$work/kube-proxy.kubeconfig" system:kube-proxy "$proxy_token"

# --- processes ---
start() { # name command...: in its own session, in $HOST_CGROUP (and so are its children)
  local name=$1; shift
  (
    for m in $(cgroup_mounts); do echo "$BASHPID" > "$m/$HOST_CGROUP/cgroup.procs"; done
    exec setsid "$@"   # not a process group leader: setsid does not fork, so the recorded pid is the command's
  ) > "$work/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$work/pids/$name"
}
wait_for() { # name what command...: until the command succeeds; fails early when the process died
  local name=$1 what=$2 deadline=$((SECONDS + 120)); shift 2
  until "$@" >/dev/null 2>&1; do
    if ! alive "$(cat "$work/pids/$name")"; then
      tail -n 30 "$work/logs/$name.log" >&2; die "$name exited before $what"
    fi
    (( SECONDS < deadline )) || { tail -n 30 "$work/logs/$name.log" >&2; die "$name: no $what within 120s"; }
    sleep 0.2
  done
}
api_get() { curl -sf --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" "$api_url$1"; }
kubectl() { "$K8S_BIN/kubectl" --kubeconfig="$work/admin.kubeconfig" "$@"; }

started=$SECONDS
# kube-apiserver listens on all addresses (one --bind-address only): on 127.0.0.1 for the host's kubeconfigs and on
# $BRIDGE_IP, which it advertises as the endpoint of the `kubernetes` Service (10.96.0.1:443) for pods. Connections
# to its port from anywhere but the host itself and the pods' bridge are dropped (chain $APISERVER_CHAIN). The port
# is recorded first: down.sh removes exactly this rule and chain.
echo "$api_port" > "$STATE_DIR/apiserver-port"
iptables -w -N "$APISERVER_CHAIN"
iptables -w -A "$APISERVER_CHAIN" -i lo -j RETURN
iptables -w -A "$APISERVER_CHAIN" -i "$BRIDGE" -j RETURN
iptables -w -A "$APISERVER_CHAIN" -j DROP
iptables -w -I INPUT -p tcp --dport "$api_port" -j "$APISERVER_CHAIN"

start etcd "$K8S_BIN/etcd" --name integcov --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer"
wait_for etcd "health on 127.0.0.1:$etcd_port" curl -sf "http://127.0.0.1:$etcd_port/health"

start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=0.0.0.0 --advertise-address="$BRIDGE_IP" --secure-port="$api_port" \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,DefaultStorageClass \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.key" --service-account-signing-key-file="$pki/sa.key" \
  --api-audiences=https://kubernetes.default.svc.cluster.local \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$pki/ca.crt" \
  --kubelet-preferred-address-types=Hostname \
  --allow-privileged=true --profiling=false --v=1
wait_for kube-apiserver "/readyz" api_get /readyz

sock=$work/containerd/containerd.sock
cat > "$work/containerd/config.toml" <<TOML
version = 2
root = "$work/containerd/root"
state = "$work/containerd/state"
[grpc]
  address = "$sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$work/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:integcov"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$work/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$work/containerd/runc"
TOML
cat > "$work/cni/net.d/10-integcov.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_SUBNET", "gateway": "$BRIDGE_IP"}]],
              "routes": [{"dst": "$SERVICE_CIDR", "gw": "$BRIDGE_IP"}], "dataDir": "$work/cni/ipam"}}
  ]
}
JSON
start containerd containerd --config "$work/containerd/config.toml"
wait_for containerd "API on $sock" ctr --address "$sock" version

CGO_ENABLED=0 go build -C "$repo/testapps/pause" -trimpath -ldflags="-s -w" -o "$work/images/pause" .
"$here/image.sh" --entrypoint /pause pause:integcov "$work/images/pause=/pause" > /dev/null

start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$work/controller-manager.kubeconfig" --bind-address=127.0.0.1 --secure-port=0 \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" --v=1
start kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig="$work/scheduler.kubeconfig" --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --v=1

cat > "$work/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $kubelet_port
readOnlyPort: 0
healthzPort: 0
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$sock
imageServiceEndpoint: unix://$sock
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
maxOpenFiles: $(ulimit -Hn)
makeIPTablesUtilChains: false
podLogsDir: $work/pod-logs
volumePluginDir: $work/kubelet/volume-plugins
staticPodPath: ""
registerNode: true
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
clusterDNS: [$DNS_SERVICE_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: ""
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
YAML
start kubelet "$K8S_BIN/kubelet" --config="$work/kubelet/config.yaml" --kubeconfig="$work/kubelet.kubeconfig" \
  --root-dir="$work/kubelet" --cert-dir="$work/kubelet/pki" --hostname-override="$NODE_NAME" --v=1
node_ready() {
  [[ $(api_get "/api/v1/nodes/$NODE_NAME" | jq -r '.status.conditions[] | select(.type == "Ready") | .status') == True ]]
}
wait_for kubelet "node $NODE_NAME Ready" node_ready
# pods need their namespace's default ServiceAccount (kube-controller-manager creates it)
wait_for kube-controller-manager "ServiceAccount default/default" api_get /api/v1/namespaces/default/serviceaccounts/default

# kube-proxy (iptables mode) on the host, like the kubelet. It sets no sysctl: conntrack settings 0 leave the
# kernel's, and without localhost NodePorts it leaves route_localnet alone. masqueradeAll: a pod calling a Service
# whose endpoint is on the same bridge gets its reply through the host (no br_netfilter needed), and the host's own
# connections to a ClusterIP leave with the bridge's address. NodePorts are served on the bridge address only.
cat > "$work/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$work/kube-proxy.kubeconfig"}
hostnameOverride: $NODE_NAME
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$proxy_healthz_port
metricsBindAddress: 127.0.0.1:$proxy_metrics_port
mode: iptables
clusterCIDR: $POD_SUBNET
nodePortAddresses: ["$BRIDGE_IP/32"]
iptables: {masqueradeAll: true, localhostNodePorts: false, syncPeriod: 30s, minSyncPeriod: 0s}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
oomScoreAdj: 0
YAML
touch "$STATE_DIR/kube-proxy-started"   # down.sh runs kube-proxy --cleanup
start kube-proxy "$K8S_BIN/kube-proxy" --config="$work/kube-proxy.yaml" --v=1
wait_for kube-proxy "healthz on 127.0.0.1:$proxy_healthz_port" curl -sf "http://127.0.0.1:$proxy_healthz_port/healthz"

# CoreDNS as a pod behind kube-dns ($DNS_SERVICE_IP), from the static binary of build-k8s.sh. No upstream resolver
# can be reached here, so names outside the cluster get NXDOMAIN at once (no forward plugin). It listens on 1053 and
# runs as non-root without capabilities; the Service maps port 53 there.
"$here/image.sh" --entrypoint /coredns coredns:integcov "$K8S_BIN/coredns=/coredns" > /dev/null
kubectl apply -f - > "$work/logs/addons.log" <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- apiGroups: [""]
  resources: [services, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects:
- {kind: ServiceAccount, name: coredns, namespace: kube-system}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    $CLUSTER_DOMAIN:1053 in-addr.arpa:1053 ip6.arpa:1053 {
        errors
        health :8080
        ready :8181
        kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
            pods insecure
        }
        cache 30
        reload
    }
    .:1053 {
        errors
        template ANY ANY {
            rcode NXDOMAIN
        }
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      dnsPolicy: Default
      securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: coredns
        image: localhost/coredns:integcov
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 1053, protocol: UDP}
        - {name: dns-tcp, containerPort: 1053, protocol: TCP}
        resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {memory: 128Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 1}
        livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10, failureThreshold: 5}
        volumeMounts:
        - {name: config, mountPath: /etc/coredns, readOnly: true}
      volumes:
      - name: config
        configMap: {name: coredns}
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_SERVICE_IP
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, targetPort: 1053, protocol: UDP}
  - {name: dns-tcp, port: 53, targetPort: 1053, protocol: TCP}
YAML

# storage as on kind: a default StorageClass `standard`; PersistentVolumeClaims without a class bind, when their pod is
# scheduled, to one of these hostPath volumes under WORKDIR/volumes (world-writable: pods run as any user)
{
  cat <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
YAML
  for i in 1 2 3 4; do
    mkdir -m 0777 "$work/volumes/pv$i"
    chmod 0777 "$work/volumes/pv$i"   # whatever the umask
    cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: integcov-local-pv$i, labels: {integcov.io/local-cluster: "true"}}
spec:
  storageClassName: standard
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: "$work/volumes/pv$i", type: Directory}
YAML
  done
} | kubectl apply -f - >> "$work/logs/addons.log"

coredns_ready() {
  [[ $(kubectl -n kube-system get deployment coredns -o jsonpath='{.status.readyReplicas}') == 1 ]]
}
wait_for kubelet "CoreDNS Ready" coredns_ready
for p in kube-proxy kube-controller-manager kube-scheduler containerd kube-apiserver etcd; do
  alive "$(cat "$work/pids/$p")" || { tail -n 30 "$work/logs/$p.log" >&2; die "$p exited"; }
done

cat > "$work/cluster.env" <<ENV
API_URL=$api_url
CA_FILE=$pki/ca.crt
ADMIN_TOKEN=$admin_token
ADMIN_KUBECONFIG=$work/admin.kubeconfig
NODE_NAME=$NODE_NAME
BRIDGE_IP=$BRIDGE_IP
BRIDGE=$BRIDGE
BRIDGE_MAC=$BRIDGE_MAC
POD_SUBNET=$POD_SUBNET
CONTAINERD_ADDRESS=$sock
SA_KEY=$pki/sa.key
WORKDIR=$work
KUBECTL=$K8S_BIN/kubectl
API_PORT=$api_port
SERVICE_CIDR=$SERVICE_CIDR
API_SERVICE_IP=$API_SERVICE_IP
DNS_SERVICE_IP=$DNS_SERVICE_IP
CLUSTER_DOMAIN=$CLUSTER_DOMAIN
STORAGE_CLASS=standard
ENV
log "node $NODE_NAME Ready, CoreDNS Ready after $((SECONDS - started))s: $api_url (kubeconfig $work/admin.kubeconfig)"
echo "$work/cluster.env"
