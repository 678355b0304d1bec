package io.integcov.model;

/**
 * The in-cluster store that {@code deploy/} installs (fake-gcs-server with its filesystem backend on a
 * PersistentVolumeClaim, Service {@value #SERVICE} in {@value #NAMESPACE}), used by every CoverageCapture without
 * {@code spec.storage}: its storage URL and the emulator address (the GCS JSON API over plain HTTP) that reaches it.
 *
 * <p>The constants are the defaults of the webhook's and the operator's {@code integcov.default-store.*} settings and
 * of {@code integcov collect}'s options, so they must match {@code deploy/base/store.yaml}; an installation with
 * another namespace sets those settings instead.
 */
public record DefaultStore(String url, String emulatorHost) {
    public static final String NAMESPACE = "integcov-system";
    public static final String SERVICE = "integcov-store";
    public static final int PORT = 4443;
    /** The bucket deploy/ creates at start, and a prefix that leaves the rest of the bucket free for other uses. */
    public static final String URL = "gs://integcov/coverage";
    /** The Service's cluster DNS name and port (an emulator host: host:port, plain HTTP). */
    public static final String EMULATOR_HOST = SERVICE + "." + NAMESPACE + ".svc:" + PORT;
    public static final DefaultStore IN_CLUSTER = new DefaultStore(URL, EMULATOR_HOST);

    /** The storage a capture with {@code spec} uses: its own {@code spec.storage}, else this store. */
    public CaptureStorage storageOf(CoverageCaptureSpec spec) {
        StorageSpec own = spec == null ? null : spec.getStorage();
        return own == null ? new CaptureStorage(url, emulatorHost, null)
                : new CaptureStorage(own.getUrl(), null, own.getCredentialsSecret());
    }
}
