package io.integcov.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A coverage store rooted at a URL ({@code gs://bucket/prefix} or {@code file:///dir}). Keys are '/'-separated paths
 * relative to that root, e.g. {@code ns/capture/uid/pod/container/run-id/covmeta.abc} ({@link KeyLayout}).
 */
public interface Storage extends AutoCloseable {

    /** Opens the store named by {@code url}; throws {@link IllegalArgumentException} with a clear message on a bad URL. */
    static Storage open(String url) {
        StorageUrl parsed = StorageUrl.parse(url);
        return switch (parsed.scheme()) {
            case "file" -> new FileStorage(Path.of(parsed.path()));
            case "gs" -> GcsStorage.open(parsed.bucket(), parsed.path());
            default -> throw new IllegalArgumentException("unsupported storage scheme: " + parsed.scheme());
        };
    }

    /**
     * Like {@link #open(String)}, but a gs:// store retries transient errors itself (exponential backoff, at most
     * {@code perCall} per call): for readers that have no retry logic of their own.
     */
    static Storage openRetrying(String url, java.time.Duration perCall) {
        return openRetrying(url, perCall, null);
    }

    /**
     * Like {@link #openRetrying(String, java.time.Duration)}, with a gs:// store reached through the GCS emulator at
     * {@code emulatorHost} ({@code host:port} or a URL, without credentials), e.g. the in-cluster default store; null
     * means what {@code STORAGE_EMULATOR_HOST} of this process says.
     */
    static Storage openRetrying(String url, java.time.Duration perCall, String emulatorHost) {
        StorageUrl parsed = StorageUrl.parse(url);
        return switch (parsed.scheme()) {
            case "gs" -> emulatorHost == null ? GcsStorage.openRetrying(parsed.bucket(), parsed.path(), perCall)
                    : GcsStorage.openRetrying(parsed.bucket(), parsed.path(), perCall, emulatorHost);
            default -> open(url);
        };
    }

    /** Uploads a local file; an existing object with the same key is replaced. */
    void put(String key, Path file) throws IOException;

    void putBytes(String key, byte[] data) throws IOException;

    /** Every object whose key starts with {@code keyPrefix} (use "" for all), in key order. */
    List<StoredObject> list(String keyPrefix) throws IOException;

    byte[] get(String key) throws IOException;

    void download(String key, Path target) throws IOException;

    /** Root URL of this store, without a trailing slash. */
    String url();

    @Override
    default void close() {
    }

    record StoredObject(String key, long size) {
        /** Last path segment of the key. */
        public String name() {
            return key.substring(key.lastIndexOf('/') + 1);
        }
    }
}
