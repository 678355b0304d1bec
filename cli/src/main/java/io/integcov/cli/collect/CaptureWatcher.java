package io.integcov.cli.collect;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a CoverageCapture and the pods it injected, to learn its storage (its own URL, or none: the default store) and
 * uid (which name its key prefix) and which uploads are still to come.
 */
public final class CaptureWatcher {
    /** Name of the native sidecar the webhook adds in sidecar mode. */
    static final String SIDECAR = Labels.SIDECAR_NAME;
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public CaptureWatcher(KubernetesClient client, String namespace, String name) {
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
     * The containers of a pod whose coverage the agent uploads: wrapped ones (the webhook gave them
     * {@code INTEGCOV_CONTAINER}) and those the native sidecar ({@value #SIDECAR} init container, command
     * {@code integcov-agent sidecar <container>...}) serves.
     */
    static Set<String> injectedContainers(Pod pod) {
        Set<String> injected = new TreeSet<>();
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getEnv() != null && container.getEnv().stream()
                    .anyMatch(env -> Labels.ENV_CONTAINER.equals(env.getName()))) {
                injected.add(container.getName());
            }
        }
        for (Container init : pod.getSpec().getInitContainers() == null ? List.<Container>of()
                : pod.getSpec().getInitContainers()) {
            List<String> command = init.getCommand() == null ? List.of() : init.getCommand();
            int at = command.indexOf("sidecar");
            if (SIDECAR.equals(init.getName()) && at >= 0) {
                injected.addAll(command.subList(at + 1, command.size()));
            }
        }
        return injected;
    }

    /**
     * What the collection is still waiting for, given the {@code <pod>/<container>} pairs that have a committed run in
     * the capture's prefix: pods this capture injected that are still running, and finished pods whose
     * {@link #injectedContainers injected containers} have no manifest yet.
     */
    public List<String> pending(Set<String> committedPodContainers) {
        List<String> pending = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            String injectedBy = pod.getMetadata().getAnnotations() == null ? null
                    : pod.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION);
            if (!name.equals(injectedBy)) {
                continue;
            }
            String podName = pod.getMetadata().getName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                pending.add("pod " + podName + " is still " + (phase == null ? "pending" : phase.toLowerCase()));
                continue;
            }
            for (String container : injectedContainers(pod)) {
                if (!committedPodContainers.contains(podName + "/" + container)) {
                    pending.add("no upload manifest yet for pod " + podName + " container " + container);
                }
            }
        }
        return pending;
    }
}
