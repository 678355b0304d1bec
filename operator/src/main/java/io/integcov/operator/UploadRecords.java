package io.integcov.operator;

import io.integcov.model.UploadRecord;
import io.integcov.storage.Manifest;

/** Turns an upload manifest into the status entry that describes it. */
public final class UploadRecords {

    private UploadRecords() {
    }

    /**
     * {@code key} is the manifest's storage key {@code .../<pod>/<container>/<run-id>/integcov-manifest.json};
     * its segments stand in for fields an older or partial manifest lacks.
     */
    public static UploadRecord fromManifest(String key, Manifest manifest) {
        String[] segments = key.split("/");
        int n = segments.length;
        UploadRecord record = new UploadRecord();
        record.setPod(firstNonNull(manifest.pod(), n >= 4 ? segments[n - 4] : null));
        record.setContainer(firstNonNull(manifest.container(), n >= 3 ? segments[n - 3] : null));
        record.setRunId(firstNonNull(manifest.runId(), n >= 2 ? segments[n - 2] : null));
        record.setMode(manifest.mode());
        record.setExitCode(manifest.exitCode());
        record.setFiles(manifest.files() == null ? 0 : manifest.files().size());
        record.setBytes(manifest.totalBytes());
        record.setFinishedAt(firstNonNull(manifest.uploadedAt(), manifest.exitedAt()));
        return record;
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }
}
