package io.integcov.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a capture's uploads go, resolved once for the webhook, the operator and {@code integcov collect}
 * ({@link DefaultStore#storageOf}): the capture's own {@code spec.storage}, or the in-cluster default store.
 *
 * @param url gs://bucket/prefix or file:///dir
 * @param emulatorHost the GCS emulator address of the default store; null for a capture's own URL (then the reader's
 *     environment decides, as for any gs:// URL)
 * @param credentials the capture's credentials Secret; null when it has none (and always for the default store)
 */
public record CaptureStorage(String url, String emulatorHost, CredentialsSecret credentials) {

    /** The capture has no spec.storage: the uploads go to the in-cluster default store. */
    public boolean isDefaultStore() {
        return emulatorHost != null;
    }

    /**
     * The storage settings the agent needs, in the order they are added: {@code INTEGCOV_STORAGE}, and for the default
     * store {@code INTEGCOV_STORAGE_EMULATOR_HOST} (the agent's own variable: the GCS libraries in a wrapped program never see
     * it). Credentials are a mount, not a value, and are left to the caller.
     */
    public Map<String, String> agentEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Labels.ENV_STORAGE, url);
        if (emulatorHost != null) {
            env.put(Labels.ENV_AGENT_EMULATOR_HOST, emulatorHost);
        }
        return env;
    }
}
