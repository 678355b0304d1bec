package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static Manifest sample(List<String> failed) {
        return new Manifest(Manifest.CURRENT_VERSION, "ns", "e2e", "6f1c2d3e-0000-4000-8000-000000000001", "pod-1",
                "app", "20260101T000000.000Z-abc123", "wrap", 137, 9,
                "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z",
                List.of(new Manifest.FileEntry("covmeta.x", 10, 4294967295L), new Manifest.FileEntry("covcounters.x", 5, 1)),
                failed);
    }

    @Test
    void roundTrip() throws Exception {
        Manifest manifest = sample(List.of("covcounters.y"));
        assertEquals(manifest, Manifest.fromJson(manifest.toJson()));
        assertEquals(15, manifest.totalBytes());
    }

    @Test
    void oddStringsAndEmptyManifestsRoundTrip() throws Exception {
        Manifest odd = new Manifest(1, "ns \"q\" \\ \n\t\u0001 \u00fc\u20ac", "p", "c", "r", -1, null, "a", "b", "c",
                List.of(), List.of("x\ry"));
        for (Manifest manifest : List.of(odd, new Manifest(1, null, null, null, null, 0, null, null, null, null, null, null),
                new Manifest(1, "ns", "c", "uid", "p", "c", "r", "sidecar", 0, null, null, null, null, null, null))) {
            assertEquals(manifest, Manifest.fromJson(manifest.toJson()));
        }
        assertTrue(new String(sample(null).toJson(), StandardCharsets.UTF_8).startsWith("{\n  \"version\" : 1,\n"));
    }

    @Test
    void nullsAreOmittedAndUnknownFieldsIgnored() throws Exception {
        String json = new String(sample(null).toJson(), StandardCharsets.UTF_8);
        assertFalse(json.contains("\"failed\""), json);
        assertTrue(json.contains("\"crc32c\" : 4294967295"), json);

        Manifest parsed = Manifest.fromJson(("{\"version\":1,\"exitCode\":3,\"future\":{\"x\":1}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(3, parsed.exitCode());
        assertNull(parsed.files());
        assertEquals(0, parsed.totalBytes());
    }

    @Test
    void newFieldsAreWrittenAndReadBack() throws Exception {
        String json = new String(sample(null).toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"capture\" : \"e2e\""), json);
        assertTrue(json.contains("\"captureUid\" : \"6f1c2d3e-0000-4000-8000-000000000001\""), json);
        assertTrue(json.contains("\"mode\" : \"wrap\""), json);
        Manifest parsed = Manifest.fromJson(sample(null).toJson());
        assertEquals("e2e", parsed.capture());
        assertEquals("6f1c2d3e-0000-4000-8000-000000000001", parsed.captureUid());
        assertEquals("wrap", parsed.mode());
    }

    /** What the agent writes (Go's encoding/json: compact, its own field order) and what was written before it. */
    @Test
    void readsManifestsWithAndWithoutTheCaptureFields() throws Exception {
        Manifest agent = Manifest.fromJson(("{\"version\":1,\"namespace\":\"shop\",\"capture\":\"e2e\","
                + "\"captureUid\":\"u-1\",\"pod\":\"api-0\",\"container\":\"api\",\"runId\":\"r\",\"mode\":\"sidecar\","
                + "\"exitCode\":0,\"files\":[{\"name\":\"covmeta.1\",\"size\":3,\"crc32c\":7}]}")
                .getBytes(StandardCharsets.UTF_8));
        Manifest old = Manifest.fromJson(("{\"version\":1,\"namespace\":\"shop\",\"pod\":\"api-0\","
                + "\"container\":\"api\",\"runId\":\"r\",\"exitCode\":2}").getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of("e2e", "u-1", "sidecar", "api-0"), List.of(agent.capture(), agent.captureUid(),
                agent.mode(), agent.pod()));
        assertEquals(3, agent.totalBytes());
        assertNull(old.capture());
        assertNull(old.captureUid());
        assertNull(old.mode());
        assertEquals(2, old.exitCode());
    }
}
