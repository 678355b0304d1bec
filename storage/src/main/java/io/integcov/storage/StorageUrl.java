package io.integcov.storage;

import java.net.URI;
import java.net.URISyntaxException;

/** A parsed storage URL: {@code gs://bucket/prefix} (prefix may be empty) or {@code file:///absolute/dir}. */
public record StorageUrl(String scheme, String bucket, String path) {

    public static StorageUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("storage URL is empty; expected gs://bucket/prefix or file:///dir");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("storage URL '" + url + "' is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme();
        if ("gs".equals(scheme)) {
            String bucket = uri.getHost();
            if (bucket == null || bucket.isEmpty()) {
                throw new IllegalArgumentException("storage URL '" + url + "' has no bucket; expected gs://bucket/prefix");
            }
            return new StorageUrl("gs", bucket, trimSlashes(uri.getPath()));
        }
        if ("file".equals(scheme)) {
            if (uri.getAuthority() != null || uri.getPath() == null || !uri.getPath().startsWith("/")) {
                throw new IllegalArgumentException("storage URL '" + url + "' must be file:///absolute/dir (three slashes)");
            }
            String path = uri.getPath().length() > 1 ? uri.getPath().replaceAll("/+$", "") : "/";
            return new StorageUrl("file", null, path);
        }
        throw new IllegalArgumentException("storage URL '" + url + "' has unsupported scheme '" + scheme
                + "'; expected gs://bucket/prefix or file:///dir");
    }

    private static String trimSlashes(String path) {
        return path == null ? "" : path.replaceAll("^/+|/+$", "");
    }

    /** Joins key segments with '/', skipping empty ones. */
    public static String join(String... segments) {
        StringBuilder out = new StringBuilder();
        for (String segment : segments) {
            String trimmed = trimSlashes(segment);
            if (!trimmed.isEmpty()) {
                if (out.length() > 0) {
                    out.append('/');
                }
                out.append(trimmed);
            }
        }
        return out.toString();
    }
}
