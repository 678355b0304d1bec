package io.integcov.e2e;

import io.integcov.testing.Executables;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kubernetes cluster on this machine, like kind: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, a kubelet (node {@code localhost}), kube-proxy (iptables mode) and containerd + runc, pods on a CNI
 * bridge, CoreDNS behind the {@code kube-dns} Service, a default StorageClass {@code standard} with hostPath volumes.
 * The scripts in src/ci/cluster do the work (the same ones src/ci/quickstart.sh uses); this class runs them, holds the
 * machine-wide lock while the cluster runs (one cluster per machine: it owns a fixed cgroup root and bridge), and
 * builds images from local files into containerd (no registry; pods use {@code imagePullPolicy: Never}).
 */
public final class LocalCluster implements AutoCloseable {
    /** Serializes test runs on one machine (held by this JVM; released by the OS if it dies). */
    static final Path LOCK = Path.of("/run/integcov-cluster.lock");
    static final String[] BINARIES = {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet",
        "kube-proxy", "kubectl", "coredns"};

    private final Path workDir;
    private final Properties env;
    private final KubeApiServer api;
    private final FileChannel lockChannel;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalCluster(Path workDir, Properties env, KubeApiServer api, FileChannel lockChannel) {
        this.workDir = workDir;
        this.env = env;
        this.api = api;
        this.lockChannel = lockChannel;
        this.shutdownHook = new Thread(this::stopQuietly, "local-cluster-down");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static Path script(String name) {
        return E2eEnv.repoRoot().resolve("src/ci/cluster").resolve(name);
    }

    /**
     * Null when this machine can run the cluster; else why not (binaries from src/ci/build-k8s.sh missing, not root,
     * containerd/runc/CNI plugins not installed).
     */
    static String missingPrerequisites() {
        List<String> missing = new ArrayList<>();
        for (String b : BINARIES) {
            if (!Files.isExecutable(E2eEnv.binDir().resolve(b))) {
                missing.add(E2eEnv.binDir().resolve(b) + " (src/ci/build-k8s.sh)");
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (the kubelet, containerd and runc manage cgroups, mounts and network namespaces)");
        }
        for (String tool : List.of("containerd", "runc", "ctr")) {
            if (!onPath(tool)) {
                missing.add(tool + " (apt-get install containerd runc)");
            }
        }
        if (!onPath("nfacct")) {
            missing.add("nfacct (apt-get install nfacct: down.sh removes kube-proxy's counters with it)");
        }
        String cni = System.getenv().getOrDefault("CNI_BIN_DIR", "/usr/lib/cni");
        if (!Files.isExecutable(Path.of(cni, "bridge"))) {
            missing.add(cni + "/bridge (apt-get install containernetworking-plugins)");
        }
        return missing.isEmpty() ? null : "the local cluster needs " + String.join(", ", missing);
    }

    /** The PATH lookup up.sh's {@code command -v} does, so a tool missing here is one up.sh would refuse to run without. */
    private static boolean onPath(String tool) {
        return Executables.onPath(tool).isPresent();
    }

    /** Takes the machine-wide lock (waiting for another run's cluster to stop), then runs up.sh in {@code workDir}. */
    public static LocalCluster start(Path workDir) throws Exception {
        FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            System.err.println("local cluster: another test run holds " + LOCK + "; waiting for it to finish");
            channel.lock();
        }
        try {
            Path log = Files.createDirectories(workDir.getParent()).resolve(workDir.getFileName() + "-up.log");
            Files.deleteIfExists(log);
            String out = run(log, script("up.sh").toString(), workDir.toString()).trim();
            Properties env = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(out), StandardCharsets.UTF_8)) {
                env.load(r);
            }
            KubeApiServer api = new KubeApiServer(env.getProperty("API_URL"), Path.of(env.getProperty("CA_FILE")),
                    env.getProperty("ADMIN_TOKEN"), workDir);
            return new LocalCluster(workDir, env, api, channel);
        } catch (Exception | Error e) {
            channel.close();
            throw e;
        }
    }

    /** Runs a command to completion; stderr goes to {@code log} (and into the exception on failure); returns stdout. */
    static String run(Path log, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // the cluster belongs to this JVM: another up.sh leaves it alone while we live, and cleans it up if we die
        pb.environment().put("INTEGCOV_CLUSTER_OWNER", Long.toString(ProcessHandle.current().pid()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
        }
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "); "
                    + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        return out;
    }

    public KubeApiServer api() {
        return api;
    }

    public Path workDir() {
        return workDir;
    }

    /** The host's address on the pods' bridge: a host service bound here is reachable from every pod. */
    public String bridgeIp() {
        return env.getProperty("BRIDGE_IP");
    }

    public String nodeName() {
        return env.getProperty("NODE_NAME");
    }

    /** The pods' bridge on the host (its name, as in /sys/class/net) and the fixed MAC address up.sh gave it. */
    public String bridgeName() {
        return env.getProperty("BRIDGE");
    }

    public String bridgeMac() {
        return env.getProperty("BRIDGE_MAC");
    }

    /** The kube-dns Service's ClusterIP (CoreDNS), the kubelet's clusterDNS. */
    public String dnsServiceIp() {
        return env.getProperty("DNS_SERVICE_IP");
    }

    /** The cluster's DNS domain ({@code cluster.local}). */
    public String clusterDomain() {
        return env.getProperty("CLUSTER_DOMAIN");
    }

    /** kubectl of the cluster's Kubernetes release (built by src/ci/build-k8s.sh). */
    public Path kubectl() {
        return Path.of(env.getProperty("KUBECTL"));
    }

    /** The admin kubeconfig up.sh wrote (for CLIs run by the tests). */
    public Path adminKubeconfig() {
        return Path.of(env.getProperty("ADMIN_KUBECONFIG"));
    }

    /**
     * Builds a one-layer image holding exactly {@code files} (host file -> path in the image) and imports it into the
     * cluster's containerd as {@code localhost/<nameTag>}; {@code entrypoint} empty: the image has no ENTRYPOINT.
     * Returns the image reference for pod specs.
     */
    public String image(String nameTag, List<String> entrypoint, Map<Path, String> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(script("image.sh").toString()));
        for (String e : entrypoint) {
            cmd.add("--entrypoint");
            cmd.add(e);
        }
        cmd.add(nameTag);
        files.forEach((host, inImage) -> cmd.add(host.toAbsolutePath() + "=" + inImage));
        run(workDir.resolve("logs/images.log"), cmd.toArray(String[]::new));
        return "localhost/" + nameTag;
    }

    /**
     * Imports the default store's stand-in image (src/ci/cluster/store-standin.sh: the one the quick start uses too)
     * and returns its {@code localhost/} reference.
     */
    public String storeStandin() throws Exception {
        String out = run(workDir.resolve("logs/images.log"), script("store-standin.sh").toString()).trim();
        return out.split(" ")[0];
    }

    /** Stops the cluster with down.sh; fails if anything of it is left on the host. Releases the machine lock. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            api.close();
            Path log = workDir.getParent().resolve(workDir.getFileName() + "-down.log");
            Files.deleteIfExists(log);
            run(log, script("down.sh").toString());
        } finally {
            lockChannel.close();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook is what called us
            }
        }
    }

    private void stopQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("local cluster: tear-down failed: " + e.getMessage());
        }
    }
}
