package io.integcov.webhook;

import io.integcov.model.CoverageCapture;
import java.util.List;

/** Read access to the cached CoverageCaptures. */
public interface CaptureLookup {
    List<CoverageCapture> inNamespace(String namespace);

    /** False until the cache has its first complete list (pods admitted before that may be missed). */
    boolean synced();
}
