package io.integcov.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;

/**
 * {@code integcov-manifest.json}: written last into {@code <ns>/<pod>/<container>/<run-id>/}, it commits an upload.
 * {@code files} lists what was uploaded (name, size, crc32c as unsigned decimal of the CRC-32C); {@code failed} names
 * files that could not be uploaded before the deadline.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int version,
        String namespace,
        String pod,
        String container,
        String runId,
        int exitCode,
        Integer signal,
        String startedAt,
        String exitedAt,
        String uploadedAt,
        List<FileEntry> files,
        List<String> failed) {

    public static final String FILE_NAME = "integcov-manifest.json";
    public static final int CURRENT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String name, long size, long crc32c) {
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    public static Manifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, Manifest.class);
    }

    public long totalBytes() {
        return files == null ? 0 : files.stream().mapToLong(FileEntry::size).sum();
    }
}
