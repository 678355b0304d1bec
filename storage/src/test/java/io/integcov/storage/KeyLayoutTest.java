package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KeyLayoutTest {

    @Test
    void capturePrefixHasNamespaceNameAndUid() {
        assertEquals("shop/e2e/0b7c6d9e-1/", KeyLayout.capturePrefix("shop", "e2e", "0b7c6d9e-1"));
    }

    @Test
    void capturePrefixRejectsMissingOrNestedSegments() {
        assertThrows(IllegalArgumentException.class, () -> KeyLayout.capturePrefix("shop", "e2e", null));
        assertThrows(IllegalArgumentException.class, () -> KeyLayout.capturePrefix("shop", "", "u"));
        assertThrows(IllegalArgumentException.class, () -> KeyLayout.capturePrefix("shop", "a/b", "u"));
    }

    @Test
    void captureDirIsTheRunDirWithoutPodContainerAndRun() {
        assertEquals("shop/e2e/u1", KeyLayout.captureDirOf("shop/e2e/u1/api-0/api/r1"));
        assertEquals("ci/42/shop/e2e/u1", KeyLayout.captureDirOf("ci/42/shop/e2e/u1/api-0/api/r1"));
        assertEquals("", KeyLayout.captureDirOf("api-0/api/r1"));
        assertEquals("", KeyLayout.captureDirOf("api/r1"));
    }

    @Test
    void podContainerOfARunDir() {
        assertEquals("api-0/api", KeyLayout.podContainerOf("shop/e2e/u1/api-0/api/r1"));
        assertNull(KeyLayout.podContainerOf("api/r1"));
    }
}
