package io.integcov.webhook;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.integcov.model.CoverageCapture;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * CoverageCaptures of all namespaces, from a SharedIndexInformer, or from a static YAML file when
 * {@code integcov.captures.source=file}. Requests only read the cache.
 *
 * <p>A lookup filters the informer's whole store by namespace instead of asking its namespace index: fabric8 updates an
 * index by first removing the key from the old value's set and then adding it to the new one, with nothing holding
 * readers off in between. Every status write of the operator is such an update, so an admission at that moment found
 * no capture and the pod was admitted without the agent. The store replaces an item in one map write, and there are
 * few captures to filter.
 */
@ApplicationScoped
public class CaptureCache implements CaptureLookup {
    private static final Logger LOG = Logger.getLogger(CaptureCache.class);

    @Inject
    WebhookConfig config;
    @Inject
    Instance<KubernetesClient> client;

    private volatile SharedIndexInformer<CoverageCapture> informer;
    private volatile List<CoverageCapture> fromFile;

    void start(@Observes StartupEvent event) {
        if (config.captures().source() == WebhookConfig.Source.file) {
            String file = config.captures().file()
                    .orElseThrow(() -> new IllegalStateException("integcov.captures.file is required with source=file"));
            fromFile = readFile(Path.of(file));
            LOG.infof("%d CoverageCapture(s) from %s", fromFile.size(), file);
            return;
        }
        SharedIndexInformer<CoverageCapture> inf = client.get().resources(CoverageCapture.class).inAnyNamespace()
                .runnableInformer(0);
        inf.exceptionHandler((started, t) -> {
            LOG.warnf("CoverageCapture informer: %s (retrying)", t.toString());
            return true;
        });
        informer = inf;
        inf.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
    }

    @Override
    public List<CoverageCapture> inNamespace(String namespace) {
        if (fromFile != null) {
            return inNamespace(fromFile, namespace);
        }
        SharedIndexInformer<CoverageCapture> inf = informer;
        return inf == null ? List.of() : inNamespace(inf.getStore(), namespace);
    }

    static List<CoverageCapture> inNamespace(Store<CoverageCapture> store, String namespace) {
        return inNamespace(store.list(), namespace);
    }

    private static List<CoverageCapture> inNamespace(List<CoverageCapture> captures, String namespace) {
        return captures.stream().filter(c -> namespace.equals(c.getMetadata().getNamespace())).toList();
    }

    @Override
    public boolean synced() {
        SharedIndexInformer<CoverageCapture> inf = informer;
        return fromFile != null || inf != null && inf.hasSynced();
    }

    static List<CoverageCapture> readFile(Path file) {
        try (MappingIterator<CoverageCapture> docs = new YAMLMapper().readerFor(CoverageCapture.class)
                .readValues(file.toFile())) {
            return docs.readAll();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CoverageCaptures from " + file, e);
        }
    }
}
