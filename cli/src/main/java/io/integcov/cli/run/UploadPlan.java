package io.integcov.cli.run;

import io.integcov.storage.Manifest;
import io.integcov.storage.StorageUrl;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;

/** The pure decisions of the upload: which files, where, by when, how often, and the manifest that commits it. */
public final class UploadPlan {
    /** kubelet's default terminationGracePeriodSeconds; it sends SIGKILL when the grace period runs out. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);
    /** Taken off the grace period for process exit and the manifest: the default budget is 30 s - 5 s = 25 s. */
    public static final Duration GRACE_MARGIN = Duration.ofSeconds(5);
    /** Even when the app used up most of its grace period, the upload gets this long (it may then be killed). */
    public static final Duration MIN_BUDGET = Duration.ofSeconds(2);
    public static final Duration MANIFEST_RESERVE_MAX = Duration.ofSeconds(3);
    public static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    public static final Duration BACKOFF_MAX = Duration.ofSeconds(5);

    private static final DateTimeFormatter RUN_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private UploadPlan() {
    }

    /** GOCOVERDIR files to upload: all but Go's in-progress {@code tmp.*} files (and a stray manifest name). */
    public static boolean shouldUpload(String fileName) {
        return !fileName.startsWith("tmp.") && !fileName.equals(Manifest.FILE_NAME);
    }

    /** Unique per run and sortable by time: {@code 20261125T160102.123Z-4f9a1c}. */
    public static String runId(Instant now, int random) {
        return RUN_ID_TIME.format(now) + "-" + String.format("%06x", random & 0xffffff);
    }

    /** {@code <ns>/<pod>/<container>/<run-id>}, relative to the storage URL. */
    public static String keyPrefix(RunSettings settings, String runId) {
        return StorageUrl.join(settings.namespace(), settings.pod(), settings.container(), runId);
    }

    /**
     * When the upload must be done. With INTEGCOV_UPLOAD_TIMEOUT: that long after the child exited. Without: the grace
     * period (INTEGCOV_GRACE_PERIOD, else kubelet's default 30 s) less {@link #GRACE_MARGIN}, counted from the first
     * SIGTERM the wrapper got (kubelet's grace period starts then), else from the child's exit; never less than
     * {@link #MIN_BUDGET} after exit.
     */
    public static Instant deadline(Duration configured, Duration gracePeriod, Instant exitedAt, Instant firstTermAt) {
        if (configured != null) {
            return exitedAt.plus(configured);
        }
        Duration budget = (gracePeriod != null ? gracePeriod : DEFAULT_GRACE_PERIOD).minus(GRACE_MARGIN);
        Instant fromStart = (firstTermAt != null ? firstTermAt : exitedAt).plus(budget);
        Instant floor = exitedAt.plus(MIN_BUDGET);
        return fromStart.isBefore(floor) ? floor : fromStart;
    }

    /** Files must be done by then, leaving a fifth of the budget (at most 3 s) for the manifest. */
    public static Instant filesDeadline(Instant begin, Instant deadline) {
        Duration reserve = Duration.between(begin, deadline).dividedBy(5);
        return deadline.minus(reserve.compareTo(MANIFEST_RESERVE_MAX) < 0 ? reserve : MANIFEST_RESERVE_MAX);
    }

    /** Delay before retry number {@code attempt} (1-based): exponential, capped, jittered by {@code random01} in [0,1). */
    public static Duration backoff(int attempt, double random01) {
        long exponential = BACKOFF_BASE.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(exponential, BACKOFF_MAX.toMillis());
        return Duration.ofMillis(capped / 2 + Math.round(capped / 2.0 * random01));
    }

    public static Manifest manifest(RunSettings settings, String runId, int exitCode, Instant startedAt,
                                    Instant exitedAt, Instant uploadedAt, List<Manifest.FileEntry> uploaded,
                                    List<String> failed) {
        List<Manifest.FileEntry> files = uploaded.stream().sorted(Comparator.comparing(Manifest.FileEntry::name)).toList();
        List<String> failedSorted = failed.isEmpty() ? null : failed.stream().sorted().toList();
        Integer signal = exitCode > 128 && exitCode < 128 + 65 ? exitCode - 128 : null;
        return new Manifest(Manifest.CURRENT_VERSION, settings.namespace(), settings.pod(), settings.container(), runId,
                exitCode, signal, startedAt.toString(), exitedAt.toString(), uploadedAt.toString(), files, failedSorted);
    }
}
