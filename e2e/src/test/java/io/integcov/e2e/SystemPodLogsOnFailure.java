package io.integcov.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * On a failed test, prints what integcov-system's pods did (status and the end of every container's log) and writes
 * their whole logs under {@code target/e2e-work/<class>/integcov-system-<test>/}: operator and webhook run as pods, so
 * their logs are only in the cluster.
 */
public final class SystemPodLogsOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        IntegcovInCluster integcov = IntegcovInCluster.current();
        if (integcov == null) {
            return;
        }
        String test = context.getRequiredTestMethod().getName();
        System.out.println("integcov-system after the failure of " + context.getRequiredTestClass().getSimpleName()
                + "." + test + ":\n" + integcov.diagnostics(E2eEnv.workRoot()
                        .resolve(context.getRequiredTestClass().getSimpleName()).resolve("integcov-system-" + test)));
    }
}
