package io.integcov.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.PodNote;
import io.integcov.model.UploadRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Kubernetes Events a status change is worth (pure; {@code CaptureEventRecorder} posts them). Events are derived
 * from the difference between the stored status and the new one, so each transition is reported once, also across
 * operator restarts, and nothing is reported while nothing changes.
 */
public final class StatusEvents {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    /** An injected pod ended and committed no upload (status.noUpload). */
    public static final String NO_UPLOAD = "NoUploadCommitted";
    /** At most this many upload Events per status change; more are summed up in one. */
    static final int MAX_UPLOAD_EVENTS = 10;

    public record Event(String type, String reason, String message) {
    }

    private StatusEvents() {
    }

    public static List<Event> between(CoverageCaptureStatus previous, CoverageCaptureStatus next) {
        CoverageCaptureStatus before = previous == null ? new CoverageCaptureStatus() : previous;
        List<Event> events = new ArrayList<>();

        Condition invalid = Conditions.find(next.getConditions(), Conditions.INVALID_SPEC).orElse(null);
        Condition invalidBefore = Conditions.find(before.getConditions(), Conditions.INVALID_SPEC).orElse(null);
        if (isTrue(invalid) && (!isTrue(invalidBefore) || !Objects.equals(invalid.getMessage(),
                invalidBefore.getMessage()))) {
            events.add(new Event(WARNING, "InvalidSpec", invalid.getMessage()));
        }

        Condition ready = Conditions.find(next.getConditions(), Conditions.READY).orElse(null);
        Condition readyBefore = Conditions.find(before.getConditions(), Conditions.READY).orElse(null);
        if (ready != null && StatusCalculator.STORAGE_UNAVAILABLE.equals(ready.getReason())
                && (readyBefore == null || !StatusCalculator.STORAGE_UNAVAILABLE.equals(readyBefore.getReason()))) {
            events.add(new Event(WARNING, StatusCalculator.STORAGE_UNAVAILABLE, ready.getMessage()));
        }

        Set<String> notedBefore = new HashSet<>();
        for (PodNote note : nonNull(before.getNotInjected())) {
            notedBefore.add(note.getPod() + "\n" + note.getReason());
        }
        for (PodNote note : nonNull(next.getNotInjected())) {
            if (!notedBefore.contains(note.getPod() + "\n" + note.getReason())) {
                events.add(new Event(WARNING, "PodNotInjected", "pod " + note.getPod() + ": " + note.getReason()));
            }
        }

        Set<String> lostBefore = new HashSet<>();
        nonNull(before.getNoUpload()).forEach(note -> lostBefore.add(note.getPod()));
        for (PodNote note : nonNull(next.getNoUpload())) {
            if (!lostBefore.contains(note.getPod())) {
                events.add(new Event(WARNING, NO_UPLOAD, "pod " + note.getPod() + ": " + note.getReason()));
            }
        }

        Set<String> uploadedBefore = new HashSet<>();
        for (UploadRecord upload : nonNull(before.getUploads())) {
            uploadedBefore.add(uploadKey(upload));
        }
        List<UploadRecord> added = nonNull(next.getUploads()).stream()
                .filter(upload -> !uploadedBefore.contains(uploadKey(upload))).toList();
        for (int i = 0; i < added.size(); i++) {
            if (i == MAX_UPLOAD_EVENTS - 1 && added.size() > MAX_UPLOAD_EVENTS) {
                events.add(new Event(NORMAL, "UploadsCommitted", (added.size() - i) + " more uploads committed; "
                        + next.getUploadCount() + " in all"));
                break;
            }
            UploadRecord upload = added.get(i);
            events.add(new Event(NORMAL, "UploadCommitted", "pod " + upload.getPod() + " container "
                    + upload.getContainer() + " run " + upload.getRunId() + ": " + upload.getFiles() + " files, "
                    + upload.getBytes() + " bytes, exit code " + upload.getExitCode()
                    + (upload.getMode() == null ? "" : ", " + upload.getMode() + " mode")));
        }
        return events;
    }

    private static String uploadKey(UploadRecord upload) {
        return upload.getPod() + "/" + upload.getContainer() + "/" + upload.getRunId();
    }

    private static boolean isTrue(Condition condition) {
        return condition != null && "True".equals(condition.getStatus());
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
