package io.integcov.operator;

import io.integcov.model.CaptureStorage;
import io.integcov.model.UploadRecord;
import io.integcov.operator.status.UploadListing;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.storage.KeyLayout;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Reads the committed upload manifests of one capture: {@code integcov-manifest.json} files below the capture's own
 * prefix {@code <url>/<namespace>/<capture>/<uid>/} ({@link KeyLayout}), so that other captures and earlier
 * incarnations of the same capture (another uid) never count. A manifest never changes once written, so each one is
 * fetched once and remembered while it is listed.
 */
@ApplicationScoped
public class UploadScanner {
    private static final Logger LOG = Logger.getLogger(UploadScanner.class);
    /** A storage call (with the client's retries) gives up after this, so a poll never hangs. */
    private static final Duration STORAGE_CALL_LIMIT = Duration.ofSeconds(20);

    private final Map<String, Storage> stores = new ConcurrentHashMap<>();
    private final Map<String, UploadRecord> manifests = new ConcurrentHashMap<>();
    /** Manifests that could not be parsed: warned about once, skipped while they stay listed. */
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    /**
     * The committed uploads of one capture in {@code where} (its own storage URL, or the default store through the
     * emulator host of its Service), stamped with the time the read began: every manifest committed before then is in
     * the listing.
     */
    public UploadListing scan(CaptureStorage where, String namespace, String capture, String captureUid) {
        String storageUrl = where.url();
        Instant readAt = Instant.now();
        try {
            Storage storage = stores.computeIfAbsent(storageUrl + "\n" + where.emulatorHost(),
                    key -> Storage.openRetrying(storageUrl, STORAGE_CALL_LIMIT, where.emulatorHost()));
            String prefix = KeyLayout.capturePrefix(namespace, capture, captureUid);
            List<UploadRecord> records = new ArrayList<>();
            Set<String> listed = new HashSet<>();
            for (Storage.StoredObject object : storage.list(prefix)) {
                if (!Manifest.FILE_NAME.equals(object.name())) {
                    continue;
                }
                String cacheKey = storageUrl + "\n" + object.key();
                listed.add(cacheKey);
                UploadRecord record = manifests.get(cacheKey);
                if (record == null && !unreadable.contains(cacheKey)) {
                    try {
                        record = UploadRecords.fromManifest(object.key(), Manifest.fromJson(storage.get(object.key())));
                    } catch (Exception e) {
                        LOG.warnf("skipping unreadable manifest %s/%s: %s", storage.url(), object.key(), e.getMessage());
                        unreadable.add(cacheKey);
                        continue;
                    }
                    manifests.put(cacheKey, record);
                }
                if (record != null) {
                    records.add(record);
                }
            }
            String scanned = storageUrl + "\n" + prefix;
            manifests.keySet().removeIf(key -> key.startsWith(scanned) && !listed.contains(key));
            unreadable.removeIf(key -> key.startsWith(scanned) && !listed.contains(key));
            return UploadListing.of(records, readAt);
        } catch (Exception e) {
            LOG.debugf(e, "cannot list %s/%s/%s/%s", storageUrl, namespace, capture, captureUid);
            return UploadListing.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        stores.values().forEach(Storage::close);
    }
}
