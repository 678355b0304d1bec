package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/**
 * A Secret in the capture's namespace holding a Google service-account key. The webhook mounts that one key read-only
 * into what integcov injects and points GOOGLE_APPLICATION_CREDENTIALS at it, so storage credentials reach the agent
 * without editing the workloads. Without it the agent uses Application Default Credentials (e.g. Workload Identity).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsSecret {
    public static final String DEFAULT_KEY = "key.json";

    @Required
    @JsonPropertyDescription("Name of the Secret (in the namespace of the CoverageCapture and its pods).")
    private String name;

    @Default(DEFAULT_KEY)
    @JsonPropertyDescription("Key of the Secret that holds the service-account key JSON; default key.json.")
    private String key;

    public CredentialsSecret() {
    }

    public CredentialsSecret(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    /** The key to mount: {@link #getKey()}, or {@value #DEFAULT_KEY} when unset or blank. */
    public String keyOrDefault() {
        return key == null || key.isBlank() ? DEFAULT_KEY : key;
    }
}
