package io.integcov.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.integcov.model.DefaultStore;
import io.integcov.testing.FakeGcs;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Comparator;

/**
 * The tests' view of the in-cluster default store (deploy/base/store.yaml): a port-forward through the API server
 * (fabric8, pods/portforward) to the ready pod behind Service integcov-store, as {@code integcov collect} reaches it,
 * and a {@link FakeGcs} client on it. The tests set no emulator address anywhere; this is how they read what the
 * agents uploaded.
 */
final class DefaultStoreAccess implements AutoCloseable {
    /** The bucket of the default URL gs://integcov/coverage. */
    static final String BUCKET = "integcov";
    /** The objects' prefix below the bucket (the default URL's path). */
    static final String PREFIX = "coverage/";

    private final LocalPortForward forward;
    private final FakeGcs gcs;
    private final String pod;

    private DefaultStoreAccess(LocalPortForward forward, String pod) {
        this.forward = forward;
        this.pod = pod;
        this.gcs = FakeGcs.client(forward.getLocalAddress().getHostAddress(), forward.getLocalPort());
    }

    /** Opens a port-forward to the store's ready pod (the newest if there are several). */
    static DefaultStoreAccess open(KubernetesClient admin) throws IOException {
        Pod pod = admin.pods().inNamespace(DefaultStore.NAMESPACE)
                .withLabel("app.kubernetes.io/name", DefaultStore.SERVICE).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
                        .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                                && "True".equals(c.getStatus())))
                .max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
                .orElseThrow(() -> new IOException("no ready pod of the default store in " + DefaultStore.NAMESPACE));
        String name = pod.getMetadata().getName();
        LocalPortForward forward = admin.pods().inNamespace(DefaultStore.NAMESPACE).withName(name)
                .portForward(DefaultStore.PORT, InetAddress.getLoopbackAddress(), 0);
        return new DefaultStoreAccess(forward, name);
    }

    /** A GCS JSON API client of the store (through the forward). */
    FakeGcs gcs() {
        return gcs;
    }

    /** Which pod the forward reaches (for failure messages). */
    String pod() {
        return pod;
    }

    @Override
    public void close() throws IOException {
        forward.close();
    }
}
