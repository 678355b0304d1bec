package io.integcov.cli.collect;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A port-forward (the API server's pods/portforward, through fabric8) to a ready pod behind a Service, on a free port
 * of 127.0.0.1. The Service is read for its selector and port; the pod is chosen here rather than by fabric8's
 * Service port-forward, which takes the first pod of the selector even when it is pending or being deleted (the
 * store's Deployment is Recreate: during a rollout the old pod can still be listed). The kubelet connects to the port
 * inside the pod's network namespace, so NetworkPolicies do not apply. RBAC: get services, list pods, create
 * pods/portforward in the Service's namespace.
 */
final class ServicePortForwarder implements StoreForwarder {

    @Override
    public Forward open(KubernetesClient client, String namespace, String service) throws IOException {
        Service svc = client.services().inNamespace(namespace).withName(service).get();
        if (svc == null) {
            throw new IOException("Service " + namespace + "/" + service + " of the default store does not exist"
                    + " (is integcov installed? kubectl apply -k deploy/)");
        }
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector == null || selector.isEmpty() || svc.getSpec().getPorts() == null
                || svc.getSpec().getPorts().isEmpty()) {
            throw new IOException("Service " + namespace + "/" + service + " has no selector or no port");
        }
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems();
        Pod pod = readyPod(pods);
        if (pod == null) {
            throw new IOException("no ready pod behind Service " + namespace + "/" + service + " (" + pods.size()
                    + " listed; kubectl -n " + namespace + " get pods -l " + labels(selector) + ")");
        }
        int port = targetPort(svc.getSpec().getPorts().get(0), pod);
        String name = pod.getMetadata().getName();
        LocalPortForward forward = client.pods().inNamespace(namespace).withName(name)
                .portForward(port, InetAddress.getLoopbackAddress(), 0);
        String describe = "pod " + namespace + "/" + name + " port " + port;
        return new Forward() {
            @Override
            public String hostPort() {
                return forward.getLocalAddress().getHostAddress() + ":" + forward.getLocalPort();
            }

            @Override
            public String describe() {
                return describe;
            }

            @Override
            public void close() throws IOException {
                forward.close();
            }
        };
    }

    /** A running, ready pod that is not being deleted; the newest first. Null when there is none. */
    static Pod readyPod(List<Pod> pods) {
        return pods.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .filter(pod -> pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()))
                .filter(ServicePortForwarder::ready)
                .max(Comparator.comparing((Pod pod) -> String.valueOf(pod.getMetadata().getCreationTimestamp())))
                .orElse(null);
    }

    private static boolean ready(Pod pod) {
        List<PodCondition> conditions = pod.getStatus().getConditions();
        return conditions != null && conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * The pod's port the Service port leads to: its targetPort as a number, a named container port of the pod, or the
     * Service port itself when it sets no targetPort.
     */
    static int targetPort(ServicePort servicePort, Pod pod) throws IOException {
        IntOrString target = servicePort.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return servicePort.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        return pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> target.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new IOException("pod " + pod.getMetadata().getName() + " has no port named "
                        + target.getStrVal()));
    }

    private static String labels(Map<String, String> selector) {
        return String.join(",", selector.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
