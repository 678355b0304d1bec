package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The overlay the e2e applies ({@link IntegcovInCluster#writeOverlay}) changes nothing of deploy/ but the image names
 * and the pull policy: both rendered with the cached kustomize (src/ci/build-k8s.sh), every other line is equal.
 * No cluster needed.
 */
class InstallOverlayTest {

    static String kustomize(Path dir) throws Exception {
        Path kustomize = E2eEnv.binDir().resolve("kustomize");
        if (!Files.isExecutable(kustomize)) {
            if (E2eEnv.required()) {
                throw new IllegalStateException(kustomize + " is missing (src/ci/build-k8s.sh)");
            }
            Assumptions.abort(kustomize + " is missing (src/ci/build-k8s.sh)");
        }
        Path log = Files.createTempFile("kustomize", ".log");
        try {
            return LocalCluster.run(log, kustomize.toString(), "build", dir.toString());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void overlayOnlyRenamesTheImagesAndNeverPulls() throws Exception {
        Path deploy = IntegcovInCluster.deployDir();
        Path overlay = IntegcovInCluster.writeOverlay(E2eEnv.workDir("InstallOverlayTest").resolve("overlay"), deploy);
        List<String> base = kustomize(deploy).lines().toList();
        List<String> ours = kustomize(overlay).lines().toList();

        List<String> images = ours.stream().filter(l -> l.trim().startsWith("image:")
                || l.trim().startsWith("value: localhost/")).map(String::trim).sorted().distinct().toList();
        assertEquals(List.of("image: localhost/integcov-standin/fake-gcs-server:1.56.1",
                "image: localhost/integcov/agent:0.1.0", "image: localhost/integcov/operator:0.1.0", "image: localhost/integcov/webhook:0.1.0",
                "value: localhost/integcov/agent:0.1.0"), images, "what the pods run and the webhook injects");
        long never = ours.stream().filter(l -> l.trim().equals("imagePullPolicy: Never")).count();
        assertEquals(5, never, "operator, webhook, the store and its two init containers never pull");

        List<String> rest = new ArrayList<>();
        for (String l : ours) {
            if (!l.trim().equals("imagePullPolicy: Never")) {
                rest.add(l.replace("localhost/integcov-standin/fake-gcs-server:", "docker.io/fsouza/fake-gcs-server:")
                        .replace("localhost/integcov/", "integcov/"));
            }
        }
        assertEquals(base, rest, "the overlay changes nothing else");
        assertTrue(base.stream().anyMatch(l -> l.contains("kind: MutatingWebhookConfiguration")));
    }
}
