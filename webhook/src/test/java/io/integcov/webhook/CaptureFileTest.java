package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.integcov.model.CoverageCapture;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The static source behind integcov.captures.source=file. */
class CaptureFileTest {
    @Test
    void readsEveryDocument() {
        List<CoverageCapture> all = CaptureCache.readFile(Path.of("src/test/resources/captures.yaml"));
        assertEquals(List.of("team/api-cov", "other/all"),
                all.stream().map(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName()).toList());
        assertEquals("api", all.get(0).getSpec().getSelector().getMatchLabels().get("app"));
        assertEquals(List.of("api"), all.get(0).getSpec().getContainers());
        assertEquals(15, all.get(0).getSpec().getUploadTimeoutSeconds());
        assertEquals(List.of("/worker"), all.get(1).getSpec().getCommandOverrides().get(0).getCommand());
    }

    @Test
    void missingFileIsAnError() {
        assertThrows(UncheckedIOException.class, () -> CaptureCache.readFile(Path.of("src/test/resources/nope.yaml")));
    }
}
