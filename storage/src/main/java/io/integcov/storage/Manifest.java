package io.integcov.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code integcov-manifest.json}: written last into a run directory ({@link KeyLayout}), it commits an upload.
 * {@code files} lists what was uploaded (name, size, crc32c as unsigned decimal of the CRC-32C); {@code failed} names
 * files that could not be uploaded before the deadline. {@code capture}, {@code captureUid} and {@code mode}
 * ({@code wrap}, {@code sidecar} or {@code flush}) came with the per-capture key layout: manifests written before it
 * lack them and still read (as null).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int version,
        String namespace,
        String capture,
        String captureUid,
        String pod,
        String container,
        String runId,
        String mode,
        int exitCode,
        Integer signal,
        String startedAt,
        String exitedAt,
        String uploadedAt,
        List<FileEntry> files,
        List<String> failed) {

    public static final String FILE_NAME = "integcov-manifest.json";
    public static final int CURRENT_VERSION = 1;

    /**
     * A manifest without {@code capture}, {@code captureUid} and {@code mode}, as written before the per-capture key
     * layout (for tests of readers that must still accept those).
     */
    public Manifest(int version, String namespace, String pod, String container, String runId, int exitCode,
            Integer signal, String startedAt, String exitedAt, String uploadedAt, List<FileEntry> files,
            List<String> failed) {
        this(version, namespace, null, null, pod, container, runId, null, exitCode, signal, startedAt, exitedAt,
                uploadedAt, files, failed);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String name, long size, long crc32c) {
    }

    /** Indented JSON without null fields, as the tests and tools that write manifests in Java need it. */
    public byte[] toJson() {
        try {
            return (Reader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a manifest always serializes", e);
        }
    }

    public static Manifest fromJson(byte[] json) throws IOException {
        return Reader.JSON.readValue(json, Manifest.class);
    }

    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    public long totalBytes() {
        return files == null ? 0 : files.stream().mapToLong(FileEntry::size).sum();
    }
}
