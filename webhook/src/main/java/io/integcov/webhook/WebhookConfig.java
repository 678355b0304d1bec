package io.integcov.webhook;

import io.integcov.model.DefaultStore;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Runtime settings of the webhook (properties under {@code integcov.}, or env vars such as INTEGCOV_AGENT_IMAGE). */
@ConfigMapping(prefix = "integcov")
public interface WebhookConfig {
    /**
     * Image of the Go agent ({@code integcov/agent}), run by the install init container; a CoverageCapture's
     * spec.agentImage (or its deprecated alias spec.wrapperImage) overrides it.
     */
    @WithDefault("integcov/agent:0.1.0")
    String agentImage();

    /** Path of the agent binary inside the agent image (the init container runs {@code <it> install <bin dir>}). */
    @WithDefault("/integcov-agent")
    String agentBinary();

    /**
     * Requests and limits ({@code integcov.agent-resources.requests.cpu=10m}, {@code ...limits.memory=128Mi}, any
     * resource name) of every container integcov adds to a pod, so that a ResourceQuota without LimitRange defaults
     * admits it; a CoverageCapture's spec.agentResources overrides them one by one. Defaults in application.properties.
     */
    AgentResources agentResources();

    /**
     * Whether the cluster runs native sidecars (Kubernetes 1.29+): {@code auto} (read the API server version once at
     * start-up; when that fails, assume yes and log one line), {@code true} or {@code false}. Without them Auto mode
     * never adds the sidecar (see {@link NativeSidecars}).
     */
    @WithDefault("auto")
    String nativeSidecars();

    interface AgentResources {
        Map<String, String> requests();

        Map<String, String> limits();
    }

    /**
     * AdmissionReviews larger than this are admitted unchanged with a warning, without building their tree (bounded
     * memory per request). The default is etcd's default request limit (1.5 MiB): a larger pod cannot be stored anyway.
     * Bodies above the API server's own limit (3 MiB) are answered 413 before they are read.
     */
    @WithDefault("1572864")
    int maxReviewBytes();

    /**
     * AdmissionReviews larger than this are parsed on a small worker pool ({@code integcov.large-review-workers}
     * threads) instead of the event loop, so a few big pods neither stall small admissions nor multiply the heap.
     */
    @WithDefault("131072")
    int workerReviewBytes();

    @WithDefault("2")
    int largeReviewWorkers();

    /**
     * The in-cluster store used by captures without spec.storage ({@code integcov.default-store.url} and
     * {@code .emulator-host}, env INTEGCOV_DEFAULT_STORE_URL / INTEGCOV_DEFAULT_STORE_EMULATOR_HOST): the webhook gives
     * injected containers and the sidecar these as INTEGCOV_STORAGE and INTEGCOV_STORAGE_EMULATOR_HOST. The defaults match
     * deploy/ (Service integcov-store in integcov-system).
     */
    DefaultStoreSettings defaultStore();

    interface DefaultStoreSettings {
        @WithDefault(DefaultStore.URL)
        String url();

        /** host:port of the store's Service, reachable from every pod the webhook injects. */
        @WithDefault(DefaultStore.EMULATOR_HOST)
        String emulatorHost();
    }

    Events events();

    interface Events {
        /** Events on the CoverageCapture for skipped and collided pods (only with the informer source). */
        @WithDefault("true")
        boolean enabled();

        /** Events waiting to be sent; more are dropped (and counted in integcov_events_dropped_total). */
        @WithDefault("256")
        int queueSize();

        /** The same message for the same capture is sent once per window. */
        @WithDefault("PT10M")
        Duration dedupeWindow();
    }

    /**
     * Serve TLS with BoringSSL (netty-tcnative) when its native library loads, else with the JDK's TLS; false: always
     * the JDK's. BoringSSL costs less CPU per request and leaves less Java code for the JIT to warm up.
     */
    @WithDefault("true")
    boolean openssl();

    /** Directory with tls.crt and tls.key (the mounted Secret); read by quarkus.http.ssl.* in application.properties. */
    @WithDefault("/etc/integcov/tls")
    String tlsDir();

    Captures captures();

    HttpsWarmupSettings warmup();

    /** The HTTPS warm-up of {@link HttpsWarmup}, run before the pod reports ready. */
    interface HttpsWarmupSettings {
        /** false: ready without it (the first real admissions then pay for the warm-up). */
        @WithDefault("true")
        boolean enabled();

        /** AdmissionReviews sent in all. */
        @WithDefault("300")
        int requests();

        /** TLS connections they are spread over (each with its own handshake). */
        @WithDefault("8")
        int connections();

        /** After this the pod reports ready anyway (logged): the warm-up never keeps the webhook from serving. */
        @WithDefault("PT20S")
        Duration timeout();
    }

    interface Captures {
        /**
         * Where CoverageCaptures come from: {@code informer} (watch the cluster; the default) or {@code file} (a static
         * YAML file of CoverageCapture documents, for benchmarks and local runs without a cluster).
         */
        @WithDefault("informer")
        Source source();

        /** The YAML file read when source is {@code file}. */
        Optional<String> file();
    }

    enum Source {
        informer, file
    }
}
