package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    @Required
    @Pattern("^(gs://[^/]+(/.*)?|file:///.*)$")
    @JsonPropertyDescription("gs://bucket/prefix or file:///dir, used instead of the in-cluster default store; files go"
            + " to <url>/<namespace>/<capture>/<capture-uid>/<pod>/<container>/<run-id>/.")
    private String url;

    @JsonPropertyDescription("Secret with a Google service-account key for gs:// uploads, mounted read-only into what"
            + " integcov injects (GOOGLE_APPLICATION_CREDENTIALS points at it). Unset: Application Default Credentials"
            + " (e.g. GKE Workload Identity).")
    private CredentialsSecret credentialsSecret;

    public StorageSpec() {
    }

    public StorageSpec(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public CredentialsSecret getCredentialsSecret() {
        return credentialsSecret;
    }

    public void setCredentialsSecret(CredentialsSecret credentialsSecret) {
        this.credentialsSecret = credentialsSecret;
    }
}
