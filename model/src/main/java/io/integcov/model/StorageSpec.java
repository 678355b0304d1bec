package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class StorageSpec {
    @Required
    @Pattern("^(gs://[^/]+(/.*)?|file:///.*)$")
    @JsonPropertyDescription("gs://bucket/prefix or file:///dir; files go to <url>/<namespace>/<pod>/<container>/<run-id>/.")
    private String url;

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
}
