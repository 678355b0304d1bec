package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static Manifest sample(List<String> failed) {
        return new Manifest(Manifest.CURRENT_VERSION, "ns", "pod-1", "app", "20260101T000000.000Z-abc123", 137, 9,
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
    void handWrittenJsonIsWhatJacksonWouldWrite() throws Exception {
        ObjectMapper jackson = new ObjectMapper();
        Manifest odd = new Manifest(1, "ns \"q\" \\ \n\t\u0001 \u00fc\u20ac", "p", "c", "r", -1, null, "a", "b", "c",
                List.of(), List.of("x\ry"));
        for (Manifest manifest : List.of(sample(List.of("covcounters.y")), sample(null), odd,
                new Manifest(1, null, null, null, null, 0, null, null, null, null, null, null))) {
            assertEquals(jackson.readTree(jackson.writeValueAsBytes(manifest)), jackson.readTree(manifest.toJson()), manifest.toString());
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
}
