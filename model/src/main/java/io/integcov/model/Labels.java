package io.integcov.model;

/** Labels, annotations and paths shared by the webhook, the operator and the agent. */
public final class Labels {
    public static final String INJECT_LABEL = "integcov.io/inject";
    public static final String INJECT_ENABLED = "enabled";
    public static final String INJECT_DISABLED = "disabled";
    /** Pod annotation naming the CoverageCapture to use when several select the pod. */
    public static final String CAPTURE_ANNOTATION = "integcov.io/capture";
    /** Marker annotation set by the webhook; its value is the name of the CoverageCapture applied. */
    public static final String INJECTED_ANNOTATION = "integcov.io/injected";
    /**
     * Set by the webhook on a pod that a CoverageCapture selected but where some containers were not wrapped:
     * comma-separated {@code <container>:<reason>} (reason e.g. {@code no-command}).
     */
    public static final String SKIPPED_ANNOTATION = "integcov.io/skipped";
    /**
     * Set by the webhook with {@link #INJECTED_ANNOTATION}: comma-separated names of the containers whose command the
     * agent wraps (empty when none). Read through {@link InjectedPod#readFor}.
     */
    public static final String WRAPPED_ANNOTATION = "integcov.io/wrapped";
    /**
     * Set by the webhook with {@link #INJECTED_ANNOTATION}: comma-separated names of the containers the native sidecar
     * serves (empty when none). Read through {@link InjectedPod#readFor}.
     */
    public static final String SIDECAR_ANNOTATION = "integcov.io/sidecar";
    /**
     * Label the webhook sets ({@value #INJECTED_LABEL_VALUE}) on the pods it injects, next to the annotation: the
     * default store's NetworkPolicy selects them (a NetworkPolicy selects labels only; the annotation's value, the
     * capture's name, may be longer than a label value may be).
     */
    public static final String INJECTED_LABEL = "integcov.io/injected";
    public static final String INJECTED_LABEL_VALUE = "true";

    public static final String BIN_VOLUME = "integcov-bin";
    public static final String COVDATA_VOLUME = "integcov-covdata";
    public static final String BIN_DIR = "/var/run/integcov/bin";
    public static final String COVDATA_DIR = "/var/run/integcov/covdata";
    /** Where the install init container copies the agent binary; wrapped commands start with it. */
    public static final String AGENT_PATH = BIN_DIR + "/integcov-agent";
    public static final String INIT_CONTAINER_NAME = "integcov-install";
    /** The native sidecar (init container, restartPolicy Always) running {@code integcov-agent sidecar CONTAINER...}. */
    public static final String SIDECAR_NAME = "integcov-agent";

    public static final String ENV_GOCOVERDIR = "GOCOVERDIR";
    public static final String ENV_STORAGE = "INTEGCOV_STORAGE";
    /**
     * Read by the GCS client libraries (Go and Java): a GCS emulator's host:port, reached without credentials. integcov
     * never sets it in a pod (a wrapped program would see it); the agent follows it only without
     * {@link #ENV_AGENT_EMULATOR_HOST}, e.g. when a capture's spec.env names an emulator of the user's own.
     */
    public static final String ENV_STORAGE_EMULATOR_HOST = "STORAGE_EMULATOR_HOST";
    /**
     * The agent's own emulator address (host:port or URL), preferred over {@link #ENV_STORAGE_EMULATOR_HOST}: what
     * the webhook sets for the default store, so its address does not leak into a wrapped program's GCS client and a
     * program's own STORAGE_EMULATOR_HOST does not redirect the agent.
     */
    public static final String ENV_AGENT_EMULATOR_HOST = "INTEGCOV_STORAGE_EMULATOR_HOST";
    public static final String ENV_POD_NAME = "INTEGCOV_POD_NAME";
    public static final String ENV_POD_NAMESPACE = "INTEGCOV_POD_NAMESPACE";
    public static final String ENV_CONTAINER = "INTEGCOV_CONTAINER";
    /** Name and metadata.uid of the CoverageCapture applied; the agent puts them into the storage key. */
    public static final String ENV_CAPTURE = "INTEGCOV_CAPTURE";
    public static final String ENV_CAPTURE_UID = "INTEGCOV_CAPTURE_UID";
    public static final String ENV_UPLOAD_TIMEOUT = "INTEGCOV_UPLOAD_TIMEOUT";
    /** The pod's terminationGracePeriodSeconds, when its spec sets one; the agent's default upload budget follows it. */
    public static final String ENV_GRACE_PERIOD = "INTEGCOV_GRACE_PERIOD";

    private Labels() {
    }
}
