package io.integcov.operator.status;

import io.integcov.model.UploadRecord;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What reading the upload manifests from storage gave: the committed uploads, or why they could not be read, and when
 * the read began ({@code readAt}; null when not known). Equality ignores {@code readAt}: the polling event source
 * keeps the newest listing either way and triggers a reconcile only when what was read changed.
 */
public record UploadListing(List<UploadRecord> uploads, String error, Instant readAt) {

    public static UploadListing of(List<UploadRecord> uploads, Instant readAt) {
        return new UploadListing(List.copyOf(uploads), null, readAt);
    }

    /** Uploads read at an unknown time: enough for the status, not for judging pods that ended. */
    public static UploadListing of(List<UploadRecord> uploads) {
        return of(uploads, null);
    }

    public static UploadListing failed(String error) {
        return new UploadListing(List.of(), error, null);
    }

    public boolean failed() {
        return error != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UploadListing other && uploads.equals(other.uploads) && Objects.equals(error, other.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uploads, error);
    }
}
