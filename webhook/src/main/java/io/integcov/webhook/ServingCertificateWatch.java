package io.integcov.webhook;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.jboss.logging.Logger;

/**
 * The HTTPS key pair from the mounted Secret, replaced as soon as the Secret changes, so a renewed certificate is
 * served from the next TLS handshake on (the caBundle the operator writes trusts the old and the new CA meanwhile).
 * The server gets a {@link ReloadingKeyManager} ({@link HttpsServerTuning}); Quarkus' own periodic reload is not used:
 * it replaces the server's SSL options, and Vert.x resets the connections that arrive while it does.
 *
 * <p>
 * The kubelet updates a Secret volume atomically: it writes the new files into a fresh hidden directory, then renames
 * a new {@code ..data} symlink over the old one; {@code tls.crt} and {@code tls.key} are symlinks through
 * {@code ..data}. So a {@link WatchService} on the mount directory looks for {@code ..data} appearing (and, for a plain
 * directory outside Kubernetes, for {@code tls.crt} or {@code tls.key} written there). The files are also re-read every
 * {@link #FALLBACK}, in case the watch could not be set up or lost events; an unchanged pair is not reloaded.
 */
@ApplicationScoped
public class ServingCertificateWatch {
    private static final Logger LOG = Logger.getLogger(ServingCertificateWatch.class);
    /** The names whose creation or change in the mount directory means a new key pair. */
    static final Set<String> KEY_PAIR_NAMES = Set.of("..data", "tls.crt", "tls.key");
    /** How often the files are re-read without an event. */
    static final Duration FALLBACK = Duration.ofMinutes(10);

    @Inject
    WebhookConfig config;
    @Inject
    Vertx vertx;

    private final ReloadingKeyManager keyManager = new ReloadingKeyManager();
    private volatile WatchService watcher;
    private volatile Thread thread;
    private String loaded;

    /** What the HTTPS server serves: the current pair at every handshake. Loads the pair the first time. */
    public KeyCertOptions keyCertOptions() {
        if (!reload()) {
            throw new IllegalStateException("no TLS key pair in " + config.tlsDir());
        }
        return KeyCertOptions.wrap(keyManager);
    }

    /**
     * Serves the pair in the directory from the next handshake on, unless it is the one already served. False when the
     * files cannot be read or do not form a key pair: the current one stays.
     */
    synchronized boolean reload() {
        Path dir = Path.of(config.tlsDir());
        try {
            String content = Files.readString(dir.resolve("tls.crt")) + Files.readString(dir.resolve("tls.key"));
            if (content.equals(loaded)) {
                return true;
            }
            KeyManagerFactory factory = new PemKeyCertOptions().setCertPath(dir.resolve("tls.crt").toString())
                    .setKeyPath(dir.resolve("tls.key").toString()).getKeyManagerFactory(vertx);
            keyManager.use((X509KeyManager) factory.getKeyManagers()[0]);
            if (loaded != null) {
                LOG.infof("serving the renewed TLS key pair of %s", dir);
            }
            loaded = content;
            return true;
        } catch (Exception e) {
            // e.g. tls.crt written but not yet tls.key (outside Kubernetes): the old pair stays, the next event retries
            LOG.warnf("cannot load the TLS key pair of %s, keeping the current one: %s", dir, e.toString());
            return false;
        }
    }

    void start(@Observes StartupEvent event) {
        Path dir = Path.of(config.tlsDir());
        WatchService w = null;
        try {
            w = FileSystems.getDefault().newWatchService();
            dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot watch %s for a renewed certificate (%s); it is re-read every %s instead", dir,
                    e.toString(), FALLBACK);
        }
        watcher = w;
        WatchService events = w;
        Thread t = new Thread(() -> watch(events), "integcov-tls-watch");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        WatchService w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                LOG.debugf("closing the certificate watch: %s", e);
            }
        }
    }

    /** Reloads on every key pair event, and every {@link #FALLBACK} without one; ends when interrupted or closed. */
    private void watch(WatchService w) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (w == null) {
                    Thread.sleep(FALLBACK.toMillis());
                    reload();
                    continue;
                }
                WatchKey key = w.poll(FALLBACK.toMillis(), TimeUnit.MILLISECONDS);
                if (key == null) {
                    reload();
                    continue;
                }
                boolean changed = isKeyPairChange(key.pollEvents());
                if (!key.reset()) {
                    LOG.warnf("%s can no longer be watched; it is re-read every %s instead", config.tlsDir(),
                            FALLBACK);
                    w = null;
                }
                if (changed) {
                    reload();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
        }
    }

    /** Whether the events mean a new key pair: {@code ..data}, tls.crt or tls.key created or changed, or lost events. */
    static boolean isKeyPairChange(List<WatchEvent<?>> events) {
        for (WatchEvent<?> e : events) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW
                    || e.context() instanceof Path name && KEY_PAIR_NAMES.contains(name.toString())) {
                return true;
            }
        }
        return false;
    }
}
