package io.integcov.e2e;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the {@link LocalCluster} once per test run (the first class that needs it starts it; it lives in the root
 * context's store, so JUnit stops it after the last class) and injects it into test and lifecycle methods:
 * <pre>
 * &#64;ExtendWith(LocalClusterExtension.class)
 * class SomeTest { &#64;BeforeAll static void setUp(LocalCluster cluster) { ... } }
 * </pre>
 * Without the prerequisites (binaries of src/ci/build-k8s.sh, root, containerd, runc, nfacct, CNI plugins) the classes are
 * skipped with the reason, or fail when INTEGCOV_E2E_REQUIRED is set (CI). A failed start fails every class using it
 * (the start is not retried per class).
 */
public final class LocalClusterExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalClusterExtension.class);

    /** What the root store holds: the cluster, or why it could not start. */
    private record Started(LocalCluster cluster, Throwable failure) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    static LocalCluster cluster(ExtensionContext context) {
        String missing = LocalCluster.missingPrerequisites();
        if (missing != null) {
            if (E2eEnv.required()) {
                throw new IllegalStateException(missing + "; " + E2eEnv.REQUIRED + " is set, so this is a failure");
            }
            System.err.println("SKIPPED: " + missing + "; set " + E2eEnv.REQUIRED + "=1 to make this a failure");
            Assumptions.abort(missing);
        }
        Started s = context.getRoot().getStore(NS).getOrComputeIfAbsent(Started.class, k -> {
            try {
                long t0 = System.nanoTime();
                LocalCluster c = LocalCluster.start(E2eEnv.workRoot().resolve("cluster"));
                System.out.printf("local cluster: node %s Ready in %.1fs (%s)%n", c.nodeName(),
                        (System.nanoTime() - t0) / 1e9, c.workDir());
                return new Started(c, null);
            } catch (Exception | Error e) {
                return new Started(null, e);
            }
        }, Started.class);
        if (s.failure() != null) {
            throw new IllegalStateException("the local cluster did not start: " + s.failure().getMessage(),
                    s.failure());
        }
        return s.cluster();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == LocalCluster.class || t == KubeApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        LocalCluster c = cluster(e);
        return p.getParameter().getType() == LocalCluster.class ? c : c.api();
    }
}
