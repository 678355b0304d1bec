package io.integcov.cli.collect;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;

/**
 * Reaches an in-cluster Service from the machine {@code collect} runs on, with nothing but the kubeconfig: the default
 * store has no address outside the cluster. {@link ServicePortForwarder} is the real one; tests substitute a store
 * they run themselves (a port-forward needs a real API server and kubelet).
 */
interface StoreForwarder {

    /** A local {@code host:port} that reaches {@code namespace/service} until it is closed. */
    Forward open(KubernetesClient client, String namespace, String service) throws IOException;

    interface Forward extends AutoCloseable {
        /** {@code 127.0.0.1:<port>}, in the form STORAGE_EMULATOR_HOST takes. */
        String hostPort();

        /** What it forwards to, for the log (e.g. {@code pod integcov-system/integcov-store-abc port 4443}). */
        String describe();

        @Override
        void close() throws IOException;
    }
}
