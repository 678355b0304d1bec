package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet emulation used by the e2e test: env, $(VAR) expansion and path mapping, without an apiserver. */
class LocalKubeletTest {
    @TempDir
    Path root;

    private static Pod pod() {
        return new PodBuilder()
                .withNewMetadata().withName("p1").withNamespace("ns1").withUid("uid-1")
                .addToLabels("app", "covapp").addToAnnotations("note", "hi").endMetadata()
                .withNewSpec()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("bin").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewContainer().withName("app").withImage("covapp:e2e")
                .withCommand("/app/covapp").withArgs("-ready", "$(DATA)/ready", "$$(DATA)", "$(UNKNOWN)")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .addNewVolumeMount().withName("bin").withMountPath("/data/bin").endVolumeMount()
                .addNewEnv().withName("DATA").withValue("/data").endEnv()
                .addNewEnv().withName("NESTED").withValue("$(DATA)/x").endEnv()
                .addNewEnv().withName("POD").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("NS").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.labels['app']").endFieldRef().endValueFrom().endEnv()
                .endContainer()
                .endSpec().build();
    }

    @Test
    void expandsVariablesLikeKubernetes() {
        Map<String, String> vars = Map.of("A", "1", "B", "two");
        assertEquals("1-two", LocalKubelet.expand("$(A)-$(B)", vars));
        assertEquals("$(A)", LocalKubelet.expand("$$(A)", vars));
        assertEquals("$(C) stays", LocalKubelet.expand("$(C) stays", vars));
        assertEquals("cost $5", LocalKubelet.expand("cost $5", vars));
        assertEquals("unterminated $(A", LocalKubelet.expand("unterminated $(A", vars));
    }

    @Test
    void buildsTheEnvironmentWithDownwardApiAndExpansion() throws Exception {
        LocalKubelet k = new LocalKubelet(pod(), root, new LocalKubelet.Images(), null);
        Container app = k.container("app");
        Map<String, String> env = k.environment(app, Map.of("PATH", "/usr/bin"));
        assertEquals("/usr/bin", env.get("PATH"));
        assertEquals("p1", env.get("HOSTNAME"));
        assertEquals("/data/x", env.get("NESTED"));
        assertEquals("p1", env.get("POD"));
        assertEquals("ns1", env.get("NS"));
        assertEquals("covapp", env.get("APP"));
    }

    @Test
    void mapsVolumePathsLongestMountFirstAndImageFiles() throws Exception {
        Path covapp = Files.writeString(root.resolve("covapp-host"), "");
        LocalKubelet k = new LocalKubelet(pod(), root.resolve("k"),
                new LocalKubelet.Images().add("covapp:e2e", "/app/covapp", covapp), null);
        Container app = k.container("app");
        Path data = k.volumeDir("data");
        Path bin = k.volumeDir("bin");
        assertTrue(Files.isDirectory(data) && Files.isDirectory(bin));
        assertEquals(data + "/ready", k.hostPath(app, "/data/ready"));
        assertEquals(bin + "/integcov", k.hostPath(app, "/data/bin/integcov"));
        assertEquals(data.toString(), k.hostPath(app, "/data"));
        assertEquals("/database", k.hostPath(app, "/database"), "a mere prefix of a mountPath is not under it");
        assertEquals("relative", k.hostPath(app, "relative"));

        List<String> argv = k.argv(app, k.environment(app, Map.of()));
        assertEquals(List.of(covapp.toString(), "-ready", data + "/ready", "$(DATA)", "$(UNKNOWN)"), argv);

        Map<String, String> hostEnv = k.hostEnvironment(app, Map.of());
        assertEquals(data + "/x", hostEnv.get("NESTED"));
        assertEquals("p1", hostEnv.get("POD"));
    }

    @Test
    void refusesWhatItDoesNotEmulate() throws Exception {
        Pod noCommand = new PodBuilder(pod()).editSpec().editFirstContainer().withCommand().endContainer().endSpec()
                .build();
        LocalKubelet k = new LocalKubelet(noCommand, root, new LocalKubelet.Images(), null);
        assertThrows(IllegalStateException.class, () -> k.argv(k.container("app"), Map.of()));
        Pod hostPath = new PodBuilder(pod()).editSpec().addNewVolume().withName("h").withNewHostPath().withPath("/")
                .endHostPath().endVolume().endSpec().build();
        assertThrows(IllegalStateException.class,
                () -> new LocalKubelet(hostPath, root.resolve("h"), new LocalKubelet.Images(), null));
    }
}
