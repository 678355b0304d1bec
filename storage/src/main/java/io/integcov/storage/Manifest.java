package io.integcov.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

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
     * layout.
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

    /**
     * Indented JSON without null fields. Written by hand rather than with Jackson: the wrapper writes a manifest right
     * after the app exits, and Jackson's first use costs more there than the whole upload of a few files.
     */
    public byte[] toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", version);
        fields.put("namespace", namespace);
        fields.put("capture", capture);
        fields.put("captureUid", captureUid);
        fields.put("pod", pod);
        fields.put("container", container);
        fields.put("runId", runId);
        fields.put("mode", mode);
        fields.put("exitCode", exitCode);
        fields.put("signal", signal);
        fields.put("startedAt", startedAt);
        fields.put("exitedAt", exitedAt);
        fields.put("uploadedAt", uploadedAt);
        fields.put("files", files == null ? null : files.stream().map(f -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", f.name());
            entry.put("size", f.size());
            entry.put("crc32c", f.crc32c());
            return entry;
        }).toList());
        fields.put("failed", failed);
        StringBuilder out = new StringBuilder();
        write(out, fields, "");
        return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder out, Object value, String indent) {
        String inner = indent + "  ";
        if (value instanceof Map<?, ?> map) {
            StringJoiner members = new StringJoiner(",\n", "{\n", "\n" + indent + "}").setEmptyValue("{ }");
            map.forEach((key, member) -> {
                if (member != null) {
                    StringBuilder one = new StringBuilder(inner);
                    quote(one, key.toString());
                    one.append(" : ");
                    write(one, member, inner);
                    members.add(one);
                }
            });
            out.append(members);
        } else if (value instanceof List<?> list) {
            StringJoiner items = new StringJoiner(",\n", "[\n", "\n" + indent + "]").setEmptyValue("[ ]");
            for (Object item : list) {
                StringBuilder one = new StringBuilder(inner);
                write(one, item, inner);
                items.add(one);
            }
            out.append(items);
        } else if (value instanceof Number) {
            out.append(value);
        } else {
            quote(out, value.toString());
        }
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        out.append('"');
    }

    public static Manifest fromJson(byte[] json) throws IOException {
        return Reader.JSON.readValue(json, Manifest.class);
    }

    /** Holds the ObjectMapper so that only reading a manifest loads Jackson databind. */
    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    public long totalBytes() {
        return files == null ? 0 : files.stream().mapToLong(FileEntry::size).sum();
    }
}
