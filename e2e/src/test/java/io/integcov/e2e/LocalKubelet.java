package io.integcov.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the containers of a stored Pod as local processes, the way a kubelet would prepare them, minus the container
 * runtime: every volume becomes a directory under {@code root/volumes}, each container's environment is built as the
 * kubelet builds it (envFrom, env with {@code $(VAR)} expansion, downward API {@code fieldRef}, ConfigMap and Secret
 * references), {@code $(VAR)} in command and args is expanded, and paths are mapped: a path under a volumeMount's
 * mountPath goes to that volume's directory, and a path that exists in the container's image (declared in
 * {@link Images}) goes to the host file standing in for it. Init containers run to completion first.
 *
 * <p>Not emulated: the container's root filesystem, securityContext (user, capabilities, read-only root), resource
 * limits, probes, networking namespaces (the pod shares the host's loopback).
 */
public final class LocalKubelet {
    /** The files of each image: image reference -> (absolute path inside the image -> host path). */
    public static final class Images {
        private final Map<String, Map<String, Path>> files = new LinkedHashMap<>();

        public Images add(String image, String pathInImage, Path hostPath) {
            files.computeIfAbsent(image, k -> new LinkedHashMap<>()).put(pathInImage, hostPath);
            return this;
        }

        Map<String, Path> of(String image) {
            return files.getOrDefault(image, Map.of());
        }
    }

    public static final String NODE_NAME = "integcov-e2e-node";
    public static final String POD_IP = "127.0.0.1";

    private final Pod pod;
    private final Path root;
    private final Images images;
    private final KubernetesClient client;
    private final Map<String, Path> volumeDirs = new LinkedHashMap<>();

    public LocalKubelet(Pod pod, Path root, Images images, KubernetesClient client) throws IOException {
        this.pod = pod;
        this.root = root;
        this.images = images;
        this.client = client;
        Files.createDirectories(root);
        prepareVolumes();
    }

    public Path volumeDir(String volume) {
        Path p = volumeDirs.get(volume);
        if (p == null) {
            throw new IllegalArgumentException("pod has no volume " + volume + "; volumes: " + volumeDirs.keySet());
        }
        return p;
    }

    private String ns() {
        return pod.getMetadata().getNamespace();
    }

    private void prepareVolumes() throws IOException {
        for (Volume v : pod.getSpec().getVolumes()) {
            Path dir = Files.createDirectories(root.resolve("volumes").resolve(v.getName()));
            volumeDirs.put(v.getName(), dir);
            if (v.getEmptyDir() != null) {
                continue;
            }
            if (v.getConfigMap() != null) {
                ConfigMap cm = client.configMaps().inNamespace(ns()).withName(v.getConfigMap().getName()).get();
                writeKeys(dir, cm == null ? Map.of() : stringData(cm), v.getConfigMap().getItems());
            } else if (v.getSecret() != null) {
                Secret s = client.secrets().inNamespace(ns()).withName(v.getSecret().getSecretName()).get();
                writeKeys(dir, s == null ? Map.of() : decoded(s), v.getSecret().getItems());
            } else if (v.getProjected() != null) {
                for (VolumeProjection src : v.getProjected().getSources()) {
                    if (src.getConfigMap() != null) {
                        ConfigMap cm = client.configMaps().inNamespace(ns()).withName(src.getConfigMap().getName()).get();
                        writeKeys(dir, cm == null ? Map.of() : stringData(cm), src.getConfigMap().getItems());
                    } else if (src.getSecret() != null) {
                        Secret s = client.secrets().inNamespace(ns()).withName(src.getSecret().getName()).get();
                        writeKeys(dir, s == null ? Map.of() : decoded(s), src.getSecret().getItems());
                    } else if (src.getDownwardAPI() != null) {
                        for (var item : src.getDownwardAPI().getItems()) {
                            if (item.getFieldRef() != null) {
                                write(dir.resolve(item.getPath()), fieldValue(item.getFieldRef()));
                            }
                        }
                    } else if (src.getServiceAccountToken() != null) {
                        // what the kubelet mounts: a TokenRequest token for the pod's ServiceAccount
                        String sa = Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
                        String token = client.serviceAccounts().inNamespace(ns()).withName(sa).tokenRequest(
                                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec()
                                        .withExpirationSeconds(3600L).endSpec().build())
                                .getStatus().getToken();
                        write(dir.resolve(src.getServiceAccountToken().getPath()), token);
                    }
                }
            } else if (v.getDownwardAPI() != null) {
                for (var item : v.getDownwardAPI().getItems()) {
                    if (item.getFieldRef() != null) {
                        write(dir.resolve(item.getPath()), fieldValue(item.getFieldRef()));
                    }
                }
            } else if (v.getHostPath() != null) {
                throw new IllegalStateException("hostPath volume " + v.getName() + " is not emulated");
            }
        }
    }

    private static Map<String, String> stringData(ConfigMap cm) {
        return cm.getData() == null ? Map.of() : cm.getData();
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return out;
    }

    private static void writeKeys(Path dir, Map<String, String> data, List<KeyToPath> items) throws IOException {
        if (items == null || items.isEmpty()) {
            for (var e : data.entrySet()) {
                write(dir.resolve(e.getKey()), e.getValue());
            }
        } else {
            for (KeyToPath item : items) {
                if (data.containsKey(item.getKey())) {
                    write(dir.resolve(item.getPath()), data.get(item.getKey()));
                }
            }
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content == null ? "" : content);
    }

    /** Downward API value of a fieldRef, as the kubelet resolves it for a pod running on {@link #NODE_NAME}. */
    String fieldValue(ObjectFieldSelector ref) {
        String path = ref.getFieldPath();
        var md = pod.getMetadata();
        switch (path) {
            case "metadata.name":
                return md.getName();
            case "metadata.namespace":
                return md.getNamespace();
            case "metadata.uid":
                return md.getUid();
            case "spec.nodeName":
                return NODE_NAME;
            case "spec.serviceAccountName":
                return pod.getSpec().getServiceAccountName();
            case "status.podIP":
            case "status.podIPs":
            case "status.hostIP":
            case "status.hostIPs":
                return POD_IP;
            default:
                break;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]")
                .matcher(path);
        if (m.matches()) {
            Map<String, String> src = m.group(1).equals("labels") ? md.getLabels() : md.getAnnotations();
            return src == null ? "" : src.getOrDefault(m.group(2), "");
        }
        if (path.equals("metadata.labels") || path.equals("metadata.annotations")) {
            Map<String, String> src = path.equals("metadata.labels") ? md.getLabels() : md.getAnnotations();
            StringBuilder sb = new StringBuilder();
            if (src != null) {
                src.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\"\n"));
            }
            return sb.toString();
        }
        throw new IllegalStateException("downward API field " + path + " is not emulated");
    }

    /** The environment the kubelet gives {@code c} (no host variables except those listed in {@code base}). */
    public Map<String, String> environment(Container c, Map<String, String> base) {
        Map<String, String> env = new LinkedHashMap<>(base);
        env.put("HOSTNAME", pod.getMetadata().getName());
        if (c.getEnvFrom() != null) {
            for (EnvFromSource from : c.getEnvFrom()) {
                String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
                if (from.getConfigMapRef() != null) {
                    ConfigMap cm = client.configMaps().inNamespace(ns()).withName(from.getConfigMapRef().getName()).get();
                    if (cm != null) {
                        stringData(cm).forEach((k, v) -> env.put(prefix + k, v));
                    }
                }
                if (from.getSecretRef() != null) {
                    Secret s = client.secrets().inNamespace(ns()).withName(from.getSecretRef().getName()).get();
                    if (s != null) {
                        decoded(s).forEach((k, v) -> env.put(prefix + k, v));
                    }
                }
            }
        }
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                String value;
                EnvVarSource src = e.getValueFrom();
                if (src == null) {
                    value = expand(Objects.requireNonNullElse(e.getValue(), ""), env);
                } else if (src.getFieldRef() != null) {
                    value = fieldValue(src.getFieldRef());
                } else if (src.getConfigMapKeyRef() != null) {
                    ConfigMap cm = client.configMaps().inNamespace(ns()).withName(src.getConfigMapKeyRef().getName()).get();
                    value = cm == null ? null : stringData(cm).get(src.getConfigMapKeyRef().getKey());
                } else if (src.getSecretKeyRef() != null) {
                    Secret s = client.secrets().inNamespace(ns()).withName(src.getSecretKeyRef().getName()).get();
                    value = s == null ? null : decoded(s).get(src.getSecretKeyRef().getKey());
                } else {
                    throw new IllegalStateException("env " + e.getName() + ": valueFrom " + src + " is not emulated");
                }
                if (value == null) {
                    throw new IllegalStateException("env " + e.getName() + ": referenced key missing");
                }
                env.put(e.getName(), value);
            }
        }
        return env;
    }

    /** Kubernetes {@code $(VAR)} expansion: {@code $$} is a literal {@code $}, unknown references stay as written. */
    static String expand(String s, Map<String, String> vars) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == '$' && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i += 2;
                    continue;
                }
                if (next == '(') {
                    int close = s.indexOf(')', i + 2);
                    if (close > 0) {
                        String name = s.substring(i + 2, close);
                        if (vars.containsKey(name)) {
                            out.append(vars.get(name));
                        } else {
                            out.append(s, i, close + 1);
                        }
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(ch);
            i++;
        }
        return out.toString();
    }

    /** Maps a path as seen inside container {@code c} to the host: volume mounts first (longest mountPath), then image files. */
    public String hostPath(Container c, String path) {
        if (path == null || !path.startsWith("/")) {
            return path;
        }
        List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
        mounts.sort(Comparator.comparingInt((VolumeMount m) -> m.getMountPath().length()).reversed());
        for (VolumeMount m : mounts) {
            String mp = m.getMountPath().endsWith("/") && m.getMountPath().length() > 1
                    ? m.getMountPath().substring(0, m.getMountPath().length() - 1) : m.getMountPath();
            if (path.equals(mp) || path.startsWith(mp + "/")) {
                Path dir = volumeDir(m.getName());
                if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                    dir = dir.resolve(m.getSubPath());
                }
                String rest = path.substring(mp.length());
                return dir + rest;
            }
        }
        Path inImage = images.of(c.getImage()).get(path);
        return inImage != null ? inImage.toString() : path;
    }

    /** The argv the container runtime would exec: command + args, $(VAR)-expanded, paths mapped to the host. */
    public List<String> argv(Container c, Map<String, String> env) {
        List<String> raw = new ArrayList<>();
        if (c.getCommand() == null || c.getCommand().isEmpty()) {
            throw new IllegalStateException("container " + c.getName()
                    + " has no command; the image ENTRYPOINT is not emulated");
        }
        raw.addAll(c.getCommand());
        if (c.getArgs() != null) {
            raw.addAll(c.getArgs());
        }
        List<String> out = new ArrayList<>();
        for (String a : raw) {
            out.add(hostPath(c, expand(a, env)));
        }
        return out;
    }

    /** The environment with values that are container paths mapped to the host (e.g. GOCOVERDIR). */
    public Map<String, String> hostEnvironment(Container c, Map<String, String> base) {
        Map<String, String> env = environment(c, base);
        env.replaceAll((k, v) -> hostPath(c, v));
        return env;
    }

    public Container container(String name) {
        for (Container c : allContainers()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("pod has no container " + name);
    }

    private List<Container> allContainers() {
        List<Container> all = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        all.addAll(pod.getSpec().getContainers());
        return all;
    }

    /** Starts container {@code c} as a process (cwd = its workingDir mapped, else a per-container dir). */
    public ManagedProcess start(Container c, Map<String, String> base) throws IOException {
        Map<String, String> env = hostEnvironment(c, base);
        List<String> argv = argv(c, environment(c, base));
        Path cwd = c.getWorkingDir() != null ? Path.of(hostPath(c, c.getWorkingDir()))
                : root.resolve("cwd").resolve(c.getName());
        Files.createDirectories(cwd);
        Path log = root.resolve("container-" + c.getName() + ".log");
        Files.writeString(log, "# argv " + argv + "\n# env " + env + "\n");
        return ManagedProcess.startClean(c.getName(), argv, env, cwd, log);
    }

    /** Reports the pod Running on {@link #NODE_NAME} to the apiserver (pods/status), as the kubelet does. */
    public void reportRunning() {
        String now = java.time.Instant.now().toString();
        client.pods().inNamespace(ns()).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setHostIP(POD_IP);
            p.getStatus().setPodIP(POD_IP);
            p.getStatus().setStartTime(now);
            List<io.fabric8.kubernetes.api.model.ContainerStatus> cs = new ArrayList<>();
            for (Container c : pod.getSpec().getContainers()) {
                cs.add(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName(c.getName())
                        .withImage(c.getImage()).withImageID("").withReady(true).withRestartCount(0).withStarted(true)
                        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build());
            }
            p.getStatus().setContainerStatuses(cs);
            return p;
        });
    }

    /**
     * Reports the app containers terminated with {@code exitCodes} (by container name) and the pod phase Succeeded
     * (all 0) or Failed, as the kubelet does for a pod with restartPolicy Never.
     */
    public void reportTerminated(Map<String, Integer> exitCodes) {
        String now = java.time.Instant.now().toString();
        boolean allZero = exitCodes.values().stream().allMatch(code -> code == 0);
        client.pods().inNamespace(ns()).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.getStatus().setPhase(allZero ? "Succeeded" : "Failed");
            List<io.fabric8.kubernetes.api.model.ContainerStatus> cs = new ArrayList<>();
            for (Container c : pod.getSpec().getContainers()) {
                Integer code = exitCodes.get(c.getName());
                if (code == null) {
                    throw new IllegalArgumentException("no exit code for container " + c.getName());
                }
                cs.add(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName(c.getName())
                        .withImage(c.getImage()).withImageID("").withReady(false).withRestartCount(0).withStarted(false)
                        .withNewState().withNewTerminated().withExitCode(code)
                        .withReason(code == 0 ? "Completed" : "Error").withFinishedAt(now).endTerminated().endState()
                        .build());
            }
            p.getStatus().setContainerStatuses(cs);
            return p;
        });
    }

    /**
     * Runs every init container to completion in order, as the kubelet does before starting the app containers;
     * fails if one exits non-zero or runs longer than {@code deadline}.
     */
    public void runInitContainers(Map<String, String> base, Duration deadline) throws Exception {
        if (pod.getSpec().getInitContainers() == null) {
            return;
        }
        for (Container c : pod.getSpec().getInitContainers()) {
            if ("Always".equals(c.getRestartPolicy())) {
                throw new IllegalStateException("native sidecar " + c.getName() + " is not emulated");
            }
            try (ManagedProcess p = start(c, base)) {
                if (!p.process().waitFor(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("init container " + c.getName() + " still running after " + deadline
                            + "; log:\n" + p.logTail(40));
                }
                if (p.process().exitValue() != 0) {
                    throw new IllegalStateException("init container " + c.getName() + " exited "
                            + p.process().exitValue() + "; log:\n" + p.logTail(40));
                }
            }
        }
    }
}
