package io.integcov.storage;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gs://bucket/prefix} through google-cloud-storage (JSON API over HTTP).
 *
 * <p>With {@code STORAGE_EMULATOR_HOST} set (e.g. {@code 127.0.0.1:4443} or {@code http://127.0.0.1:4443}, as for
 * fake-gcs-server) the client talks to that host without credentials; otherwise it uses application default
 * credentials (workload identity, {@code GOOGLE_APPLICATION_CREDENTIALS}, ...).
 *
 * <p>{@link #open(String, String)} makes one attempt per call (the client's own retries are off) with short
 * connect/read timeouts, so that a caller with its own deadline stays in control of retries and time;
 * {@link #openRetrying(String, String, Duration)} lets the client retry transient errors (5xx, 429, connection
 * resets) with exponential backoff, for readers like {@code integcov collect} and the operator. Failures surface as
 * {@link IOException}; {@link PermanentStorageException} when retrying cannot help (e.g. no such bucket, 403).
 */
public final class GcsStorage implements Storage {
    public static final String EMULATOR_ENV = "STORAGE_EMULATOR_HOST";
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 20_000;
    /** Files up to this size go in one request (coverage files are KBs); larger ones use a resumable upload. */
    private static final long SINGLE_REQUEST_MAX = 8L << 20;

    private final com.google.cloud.storage.Storage client;
    private final String bucket;
    private final String prefix;

    GcsStorage(com.google.cloud.storage.Storage client, String bucket, String prefix) {
        this.client = client;
        this.bucket = bucket;
        this.prefix = StorageUrl.join(prefix);
    }

    static GcsStorage open(String bucket, String prefix) {
        return open(bucket, prefix, System.getenv(EMULATOR_ENV));
    }

    static GcsStorage openRetrying(String bucket, String prefix, Duration total) {
        return openRetrying(bucket, prefix, total, System.getenv(EMULATOR_ENV));
    }

    static GcsStorage openRetrying(String bucket, String prefix, Duration total, String emulatorHost) {
        return open(bucket, prefix, emulatorHost, retrying(total));
    }

    /** {@code emulatorHost} null or blank means the real service with application default credentials. */
    static GcsStorage open(String bucket, String prefix, String emulatorHost) {
        return open(bucket, prefix, emulatorHost, RetrySettings.newBuilder().setMaxAttempts(1).build());
    }

    /** The client's exponential backoff (200 ms doubling to 5 s) for up to {@code total} per call. */
    static RetrySettings retrying(Duration total) {
        return RetrySettings.newBuilder()
                .setMaxAttempts(0)
                .setTotalTimeoutDuration(total)
                .setInitialRetryDelayDuration(Duration.ofMillis(200))
                .setRetryDelayMultiplier(2.0)
                .setMaxRetryDelayDuration(Duration.ofSeconds(5))
                .setInitialRpcTimeoutDuration(Duration.ofMillis(READ_TIMEOUT_MS))
                .setMaxRpcTimeoutDuration(Duration.ofMillis(READ_TIMEOUT_MS))
                .setRpcTimeoutMultiplier(1.0)
                .build();
    }

    static GcsStorage open(String bucket, String prefix, String emulatorHost, RetrySettings retrySettings) {
        StorageOptions.Builder options = StorageOptions.http()
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout(CONNECT_TIMEOUT_MS)
                        .setReadTimeout(READ_TIMEOUT_MS)
                        .build())
                .setRetrySettings(retrySettings);
        if (emulatorHost != null && !emulatorHost.isBlank()) {
            options.setHost(emulatorEndpoint(emulatorHost))
                    .setCredentials(NoCredentials.getInstance())
                    .setProjectId("integcov-emulator");
        }
        return new GcsStorage(options.build().getService(), bucket, prefix);
    }

    /** {@code host:port} or a full URL, as STORAGE_EMULATOR_HOST is set by different tools, to a URL without a trailing slash. */
    static String emulatorEndpoint(String emulatorHost) {
        String host = emulatorHost.trim().replaceAll("/+$", "");
        return host.contains("://") ? host : "http://" + host;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        BlobInfo info = BlobInfo.newBuilder(blobId(key)).build();
        try {
            if (Files.size(file) <= SINGLE_REQUEST_MAX) {
                client.create(info, Files.readAllBytes(file));
            } else {
                client.createFrom(info, file);
            }
        } catch (StorageException e) {
            throw failure("upload", key, e);
        }
    }

    @Override
    public void putBytes(String key, byte[] data) throws IOException {
        BlobInfo info = BlobInfo.newBuilder(blobId(key)).build();
        try {
            client.create(info, data);
        } catch (StorageException e) {
            throw failure("upload", key, e);
        }
    }

    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        String fullPrefix = prefix.isEmpty() ? keyPrefix : prefix + "/" + keyPrefix;
        List<StoredObject> out = new ArrayList<>();
        try {
            Page<Blob> page = client.list(bucket, com.google.cloud.storage.Storage.BlobListOption.prefix(fullPrefix));
            for (Blob blob : page.iterateAll()) {
                String name = blob.getName();
                if (!name.endsWith("/")) {
                    out.add(new StoredObject(prefix.isEmpty() ? name : name.substring(prefix.length() + 1), blob.getSize()));
                }
            }
        } catch (StorageException e) {
            throw failure("list", keyPrefix, e);
        }
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }

    @Override
    public byte[] get(String key) throws IOException {
        try {
            return client.readAllBytes(blobId(key));
        } catch (StorageException e) {
            throw failure("read", key, e);
        }
    }

    /** Streams the object to {@code target} (never held in memory), which appears only once complete. */
    @Override
    public void download(String key, Path target) throws IOException {
        BlobId blob = blobId(key);
        AtomicFiles.replace(target, temp -> {
            try {
                client.downloadTo(blob, temp);
            } catch (StorageException e) {
                throw failure("read", key, e);
            }
        });
    }

    @Override
    public String url() {
        return prefix.isEmpty() ? "gs://" + bucket : "gs://" + bucket + "/" + prefix;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // nothing useful to do: the client holds no resources we must release for correctness
        }
    }

    private BlobId blobId(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("//") || ("/" + key + "/").contains("/../")) {
            throw new IllegalArgumentException("invalid storage key '" + key + "'");
        }
        return BlobId.of(bucket, prefix.isEmpty() ? key : prefix + "/" + key);
    }

    private IOException failure(String what, String key, StorageException e) {
        String detail = e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + e.getMessage() : e.getMessage();
        String message = "gs " + what + " of " + url() + "/" + key + " failed: " + detail;
        return isPermanent(e.getCode()) ? new PermanentStorageException(message, e) : new IOException(message, e);
    }

    /** 4xx other than timeout, conflict and rate limit: the same request will fail again. */
    static boolean isPermanent(int httpCode) {
        return httpCode >= 400 && httpCode < 500 && httpCode != 408 && httpCode != 409 && httpCode != 429;
    }
}
