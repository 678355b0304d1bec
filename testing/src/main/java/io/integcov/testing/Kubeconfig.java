package io.integcov.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The kubeconfig tests hand to clients and tools: one cluster, one user, one context (named {@value #NAME}), made here
 * only. Values are written as quoted YAML strings, one {@code key: value} per line.
 */
public final class Kubeconfig {
    public static final String NAME = "integcov";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String server;
    private String caFile;
    private String caPem;
    private String user = NAME;
    private String token;
    private String clientCertificatePem;
    private String clientKeyPem;
    private String namespace;

    private Kubeconfig(String server) {
        this.server = server;
    }

    /** A kubeconfig for the API server at {@code server} (e.g. {@code https://127.0.0.1:6443}). */
    public static Kubeconfig forServer(String server) {
        return new Kubeconfig(server);
    }

    /** Trust the CA in this PEM file. */
    public Kubeconfig caFile(Path file) {
        this.caFile = file.toAbsolutePath().toString();
        return this;
    }

    /** Trust this CA (PEM), inline. */
    public Kubeconfig caPem(String pem) {
        this.caPem = pem;
        return this;
    }

    /** The user's name (default {@value #NAME}). */
    public Kubeconfig user(String name) {
        this.user = name;
        return this;
    }

    /** Authenticate with a bearer token. */
    public Kubeconfig token(String token) {
        this.token = token;
        return this;
    }

    /** Authenticate with a client certificate and its key (PEM), inline. */
    public Kubeconfig clientCertificate(String certificatePem, String keyPem) {
        this.clientCertificatePem = certificatePem;
        this.clientKeyPem = keyPem;
        return this;
    }

    /** The context's default namespace. */
    public Kubeconfig namespace(String namespace) {
        this.namespace = namespace;
        return this;
    }

    public String yaml() {
        StringBuilder out = new StringBuilder("apiVersion: v1\nkind: Config\n");
        out.append("clusters:\n- name: ").append(NAME).append("\n  cluster:\n");
        line(out, "    server", server);
        line(out, "    certificate-authority", caFile);
        line(out, "    certificate-authority-data", base64(caPem));
        out.append("users:\n- name: ").append(quoted(user)).append("\n  user:");
        if (token == null && clientCertificatePem == null) {
            out.append(" {}");
        }
        out.append('\n');
        line(out, "    token", token);
        line(out, "    client-certificate-data", base64(clientCertificatePem));
        line(out, "    client-key-data", base64(clientKeyPem));
        out.append("contexts:\n- name: ").append(NAME).append("\n  context:\n");
        line(out, "    cluster", NAME);
        line(out, "    user", user);
        line(out, "    namespace", namespace);
        return out.append("current-context: ").append(NAME).append('\n').toString();
    }

    /** Writes {@link #yaml()} to {@code file} (owner-only: it holds credentials) and returns {@code file}. */
    public Path write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, yaml());
    }

    private static void line(StringBuilder out, String key, String value) {
        if (value != null) {
            out.append(key).append(": ").append(quoted(value)).append('\n');
        }
    }

    private static String base64(String pem) {
        return pem == null ? null : Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static String quoted(String value) {
        try {
            return JSON.writeValueAsString(value); // a JSON string is a YAML double-quoted scalar
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
