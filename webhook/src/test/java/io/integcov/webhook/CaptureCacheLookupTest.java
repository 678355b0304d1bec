package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The namespace lookup against the cache the informer fills (fabric8's own), while that cache is updated as the
 * operator's status writes update it: a capture that exists must be found by every admission.
 */
class CaptureCacheLookupTest {
    private static final int UPDATES = 200_000;

    @Test
    void aCaptureBeingUpdatedIsFoundByEveryLookupOfItsNamespace() {
        CacheImpl<CoverageCapture> cache = new CacheImpl<>(Cache.NAMESPACE_INDEX, Cache::metaNamespaceIndexFunc,
                Cache::metaNamespaceKeyFunc);
        cache.put(capture(0));
        cache.put(other());
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 1; i <= UPDATES; i++) {
                    cache.put(capture(i));
                }
            } finally {
                writing.set(false);
            }
        });
        int lookups = 0;
        AtomicInteger missed = new AtomicInteger();
        while (writing.get()) {
            List<CoverageCapture> found = CaptureCache.inNamespace(cache, "team");
            lookups++;
            if (found.size() != 1 || !"api-cov".equals(found.get(0).getMetadata().getName())) {
                missed.incrementAndGet();
            }
        }
        writer.join();
        assertEquals(0, missed.get(), missed + " of " + lookups + " lookups during " + UPDATES
                + " updates did not find exactly the namespace's one capture");
        assertEquals(String.valueOf(UPDATES),
                CaptureCache.inNamespace(cache, "team").get(0).getMetadata().getResourceVersion());
    }

    private static CoverageCapture capture(int version) {
        CoverageCapture cc = new CoverageCapture();
        cc.setMetadata(new ObjectMetaBuilder().withNamespace("team").withName("api-cov")
                .withResourceVersion(String.valueOf(version)).build());
        CoverageCaptureStatus status = new CoverageCaptureStatus();
        status.setMatchedPods(version);
        cc.setStatus(status);
        return cc;
    }

    private static CoverageCapture other() {
        CoverageCapture cc = new CoverageCapture();
        cc.setMetadata(new ObjectMetaBuilder().withNamespace("other").withName("all").withResourceVersion("1").build());
        return cc;
    }
}
