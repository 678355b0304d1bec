package io.integcov.operator.status;

import io.integcov.model.UploadRecord;
import java.util.List;

/** What reading the upload manifests from storage gave: the committed uploads, or why they could not be read. */
public record UploadListing(List<UploadRecord> uploads, String error) {

    public static UploadListing of(List<UploadRecord> uploads) {
        return new UploadListing(List.copyOf(uploads), null);
    }

    public static UploadListing failed(String error) {
        return new UploadListing(List.of(), error);
    }

    public boolean failed() {
        return error != null;
    }
}
