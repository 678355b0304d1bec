package io.integcov.e2e;

import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The app images the e2e pods run, built from this repository into the local cluster (no registry, no Docker), each
 * exactly what a distroless/scratch image holds: one static binary and nothing else (no shell, no libc, no JVM).
 * Built once per cluster. integcov's own images come from deploy/docker ({@link IntegcovInCluster}).
 */
final class Images {
    /** covapp built with {@code -cover}, at this path in its images. */
    static final String COVAPP_PATH = "/covapp";
    /** Image without ENTRYPOINT: pods must give {@code command}. */
    static final String COVAPP = "localhost/covapp:e2e";
    /** The same binary with ENTRYPOINT ["/covapp"]: pods give no command (the webhook needs a commandOverride). */
    static final String COVAPP_ENTRYPOINT = "localhost/covapp-entrypoint:e2e";

    private static LocalCluster builtFor;

    private Images() {
    }

    /** Builds and imports the covapp images (once per cluster). */
    static synchronized void covapp(LocalCluster cluster) throws Exception {
        if (builtFor == cluster) {
            return;
        }
        Path dir = Files.createDirectories(cluster.workDir().resolve("images"));
        Path bin = dir.resolve("covapp");
        // static: CGO off (net/http would otherwise link libc's resolver), so it runs in an image without libc
        ProcessBuilder pb = new ProcessBuilder(GoTools.go().toString(), "build", "-cover", "-trimpath", "-o",
                bin.toString(), ".").directory(E2eEnv.repoRoot().resolve("testapps/covapp").toFile())
                .redirectErrorStream(true);
        pb.environment().put("CGO_ENABLED", "0");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("go build -cover testapps/covapp failed:\n" + out);
        }
        cluster.image("covapp:e2e", List.of(), Map.of(bin, COVAPP_PATH));
        cluster.image("covapp-entrypoint:e2e", List.of(COVAPP_PATH), Map.of(bin, COVAPP_PATH));
        builtFor = cluster;
    }

    /** The covapp binary in the covapp images (for direct runs of exactly the same program). */
    static Path covappBinary(LocalCluster cluster) throws Exception {
        covapp(cluster);
        return cluster.workDir().resolve("images/covapp");
    }
}
