package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StorageUrlTest {

    @Test
    void gsWithPrefix() {
        assertEquals(new StorageUrl("gs", "bucket", "a/b"), StorageUrl.parse("gs://bucket/a/b/"));
    }

    @Test
    void gsWithoutPrefix() {
        assertEquals(new StorageUrl("gs", "my-bucket", ""), StorageUrl.parse("gs://my-bucket"));
        assertEquals(new StorageUrl("gs", "my-bucket", ""), StorageUrl.parse(" gs://my-bucket/ "));
    }

    @Test
    void fileUrl() {
        assertEquals(new StorageUrl("file", null, "/tmp/cov"), StorageUrl.parse("file:///tmp/cov/"));
        assertEquals(new StorageUrl("file", null, "/"), StorageUrl.parse("file:///"));
    }

    @Test
    void fileUrlNeedsThreeSlashes() {
        var e = assertThrows(IllegalArgumentException.class, () -> StorageUrl.parse("file://tmp/cov"));
        assertTrue(e.getMessage().contains("file:///absolute/dir"), e.getMessage());
    }

    @Test
    void rejectsEmptyUnsupportedAndMalformed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StorageUrl.parse(" ")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StorageUrl.parse("s4://b/x")).getMessage()
                .contains("unsupported scheme 's4'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StorageUrl.parse("/just/a/path")).getMessage()
                .contains("unsupported scheme 'null'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StorageUrl.parse("gs://bad bucket/x")).getMessage()
                .contains("not a valid URL"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StorageUrl.parse("gs:///prefix")).getMessage()
                .contains("no bucket"));
    }

    @Test
    void joinSkipsEmptySegmentsAndTrimsSlashes() {
        assertEquals("a/b/c", StorageUrl.join("/a/", "", "b", "c/"));
        assertEquals("", StorageUrl.join("", "/"));
    }
}
