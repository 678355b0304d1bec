package io.integcov.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultStoreTest {
    private static final DefaultStore STORE = new DefaultStore("gs://b/p", "store.ns.svc:4443");

    @Test
    void captureWithoutStorageUsesTheDefaultStoreThroughItsEmulatorHost() {
        CaptureStorage storage = STORE.storageOf(new CoverageCaptureSpec());
        assertTrue(storage.isDefaultStore());
        assertEquals(new CaptureStorage("gs://b/p", "store.ns.svc:4443", null), storage);
        assertEquals(List.of(Map.entry(Labels.ENV_STORAGE, "gs://b/p"),
                Map.entry("INTEGCOV_STORAGE_EMULATOR_HOST", "store.ns.svc:4443")),
                List.copyOf(storage.agentEnv().entrySet()));
    }

    @Test
    void captureStorageOverridesTheDefaultAndImpliesNoEmulator() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        StorageSpec own = new StorageSpec("gs://mine/ci");
        CredentialsSecret secret = new CredentialsSecret("gcs-key", null);
        own.setCredentialsSecret(secret);
        spec.setStorage(own);
        CaptureStorage storage = STORE.storageOf(spec);
        assertFalse(storage.isDefaultStore());
        assertEquals("gs://mine/ci", storage.url());
        assertNull(storage.emulatorHost());
        assertSame(secret, storage.credentials());
        assertEquals(Map.of(Labels.ENV_STORAGE, "gs://mine/ci"), storage.agentEnv());
    }

    @Test
    void inClusterDefaultsNameTheServiceInIntegcovSystem() {
        assertEquals("integcov-store.integcov-system.svc:4443", DefaultStore.EMULATOR_HOST);
        assertEquals(DefaultStore.URL, DefaultStore.IN_CLUSTER.storageOf(null).url());
    }
}
