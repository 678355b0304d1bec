package io.integcov.operator;

import io.integcov.model.UploadRecord;
import io.integcov.operator.status.UploadListing;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.storage.StorageUrl;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Reads committed upload manifests ({@code <url>/<namespace>/<pod>/<container>/<run-id>/integcov-manifest.json}).
 * A manifest never changes once written, so each one is fetched once and remembered while it is listed.
 */
@ApplicationScoped
public class UploadScanner {
    private static final Logger LOG = Logger.getLogger(UploadScanner.class);

    private final Map<String, Storage> stores = new ConcurrentHashMap<>();
    private final Map<String, UploadRecord> manifests = new ConcurrentHashMap<>();
    /** Manifests that could not be parsed: warned about once, skipped while they stay listed. */
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    public UploadListing scan(String storageUrl, String namespace) {
        try {
            Storage storage = stores.computeIfAbsent(storageUrl, Storage::open);
            String prefix = StorageUrl.join(namespace) + "/";
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
            return UploadListing.of(records);
        } catch (Exception e) {
            LOG.debugf(e, "cannot list %s/%s", storageUrl, namespace);
            return UploadListing.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        stores.values().forEach(Storage::close);
    }
}
