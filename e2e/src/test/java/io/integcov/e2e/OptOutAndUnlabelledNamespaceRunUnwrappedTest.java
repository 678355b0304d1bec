package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.APP_PORT;
import static io.integcov.e2e.CoverageScenarios.CONVERGE;
import static io.integcov.e2e.CoverageScenarios.DEFAULT_STORE;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.injected;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.sendRequests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.model.CoverageCapture;
import io.integcov.model.Labels;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What integcov must leave alone: a pod labelled to opt out in a labelled namespace and a pod in a namespace without the
 * injection label are admitted unmutated and run and serve as they are; the capture's status says why the opted-out pod
 * was not injected. Also checks that the scenarios' "restricted" namespaces enforce Pod Security (a non-compliant pod is
 * refused), so the wrapped pods of the other scenarios complied with it.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class OptOutAndUnlabelledNamespaceRunUnwrappedTest {
    static final String NS = "e2e-opt-out";

    @Test
    void optedOutPodsAndUnlabelledNamespacesRunUnwrapped(CoverageScenarios s) throws Exception {
        s.namespace(NS, true, true);
        s.capture(NS, "covapp", DEFAULT_STORE, "covapp");
        List<String> command = List.of(Images.COVAPP_PATH);
        List<String> args = List.of("-serve", ":" + APP_PORT);
        Pod optedOut = new PodBuilder(pod(NS, "opted-out", "covapp", podSpec("Never", covapp(Images.COVAPP, command,
                args)))).editMetadata().addToLabels(Labels.INJECT_LABEL, Labels.INJECT_DISABLED).endMetadata().build();
        Pod stored = s.admin.pods().inNamespace(NS).resource(optedOut).create();
        assertFalse(injected(stored), "pod labelled " + Labels.INJECT_LABEL + "=disabled is not mutated");
        assertTrue(stored.getSpec().getInitContainers() == null || stored.getSpec().getInitContainers().isEmpty());
        assertEquals(command, stored.getSpec().getContainers().get(0).getCommand());
        Pod running = s.waitPod(NS, "opted-out", "Running", p -> "Running".equals(p.getStatus().getPhase()));
        sendRequests(running.getStatus().getPodIP(), APP_PORT);
        CoverageCapture withNote = s.admin.resources(CoverageCapture.class).inNamespace(NS).withName("covapp")
                .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getNotInjected() != null
                        && c.getStatus().getNotInjected().stream().anyMatch(n -> "opted-out".equals(n.getPod())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(withNote.getStatus().getNotInjected().stream().filter(n -> "opted-out".equals(n.getPod()))
                .allMatch(n -> n.getReason().contains("opted out")), withNote.getStatus().getNotInjected().toString());

        // the namespace really enforces Pod Security "restricted" (so the other scenarios' wrapped pods, in namespaces
        // made the same way, complied)
        Pod loose = new PodBuilder(pod(NS, "not-restricted", "covapp", podSpec("Never", covapp(Images.COVAPP,
                command, args)))).editSpec().withSecurityContext(null).editFirstContainer().withSecurityContext(null)
                .endContainer().endSpec().build();
        KubernetesClientException rejected = assertThrows(KubernetesClientException.class,
                () -> s.admin.pods().inNamespace(NS).resource(loose).create());
        assertEquals(403, rejected.getCode(), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("restricted"), rejected.getMessage());

        String other = "e2e-not-labelled";
        s.namespace(other, false, false);
        s.capture(other, "covapp", DEFAULT_STORE, "covapp");
        Pod plain = s.admin.pods().inNamespace(other).resource(pod(other, "plain", "covapp", podSpec("Never",
                covapp(Images.COVAPP, command, args)))).create();
        assertFalse(injected(plain), "namespace without " + Labels.INJECT_LABEL + "=enabled is not mutated");
        assertEquals(command, plain.getSpec().getContainers().get(0).getCommand());
        Pod plainRunning = s.waitPod(other, "plain", "Running", p -> "Running".equals(p.getStatus().getPhase()));
        sendRequests(plainRunning.getStatus().getPodIP(), APP_PORT);
        s.admin.pods().inNamespace(NS).withName("opted-out").withGracePeriod(0).delete();
        s.admin.pods().inNamespace(other).withName("plain").withGracePeriod(0).delete();
    }
}
