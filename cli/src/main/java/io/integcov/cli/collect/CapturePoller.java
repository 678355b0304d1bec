package io.integcov.cli.collect;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.InjectedPod;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a CoverageCapture and the pods it injected, to learn its storage (its own URL, or none: the default store) and
 * uid (which name its key prefix) and which uploads are still to come. It polls (each call reads the API server anew,
 * no watch): {@code collect --wait} asks it again every few seconds.
 */
public final class CapturePoller {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public CapturePoller(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    public CoverageCapture capture() {
        CoverageCapture capture = client.resources(CoverageCapture.class).inNamespace(namespace).withName(name).get();
        if (capture == null) {
            throw new IllegalArgumentException("CoverageCapture " + namespace + "/" + name + " does not exist");
        }
        if (capture.getSpec() != null && capture.getSpec().getStorage() != null
                && capture.getSpec().getStorage().getUrl() == null) {
            throw new IllegalArgumentException("CoverageCapture " + namespace + "/" + name + " has spec.storage without"
                    + " a url");
        }
        return capture;
    }

    /**
     * What the collection is still waiting for, given the {@code <pod>/<container>} pairs that have a committed run in
     * the capture's prefix: pods this capture injected that are still running, and finished pods whose
     * {@link #injectedContainers injected containers} have no manifest yet.
     */
    public List<String> pending(Set<String> committedPodContainers) {
        List<String> pending = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            InjectedPod injected = InjectedPod.readFor(pod, name).orElse(null);
            if (injected == null) {
                continue;
            }
            String podName = pod.getMetadata().getName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                pending.add("pod " + podName + " is still " + (phase == null ? "pending" : phase.toLowerCase()));
                continue;
            }
            Set<String> containers = new TreeSet<>(injected.getWrapped());
            containers.addAll(injected.getSidecar());
            for (String container : containers) {
                if (!committedPodContainers.contains(podName + "/" + container)) {
                    pending.add("no upload manifest yet for pod " + podName + " container " + container);
                }
            }
        }
        return pending;
    }
}
