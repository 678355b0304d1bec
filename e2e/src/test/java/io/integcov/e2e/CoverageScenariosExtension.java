package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects {@link CoverageScenarios} into the scenario classes' lifecycle and test methods (after
 * {@link LocalClusterExtension}, which starts the cluster):
 * <pre>
 * &#64;ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class})
 * class SomeScenarioTest { &#64;BeforeAll static void setUp(CoverageScenarios s) { ... } }
 * </pre>
 * The scenario classes are small, but installing integcov costs minutes: the installation and the covapp images are
 * made once per cluster ({@link IntegcovInCluster#in}, {@link Images#covapp}) by the first class that needs them, and
 * the CLI jar's snapshot once per run (kept in the root context's store, like the cluster). A failed installation fails
 * every class after it without trying again. Each class gets its own {@link CoverageScenarios}: its own work directory
 * and port-forward to the default store (closed by JUnit after the class), and a wait until integcov is ready again
 * (a class before it may have scaled the webhook or rotated its CA).
 */
public final class CoverageScenariosExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS =
            ExtensionContext.Namespace.create(CoverageScenariosExtension.class);

    /** What the root store holds: the CLI jar's snapshot after the installation, or why it failed. */
    private record Installed(Path cliJar, Throwable failure) {
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == CoverageScenarios.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        LocalCluster cluster = LocalClusterExtension.cluster(e);
        Installed installed = e.getRoot().getStore(NS).getOrComputeIfAbsent(Installed.class, k -> install(cluster),
                Installed.class);
        if (installed.failure() != null) {
            throw new IllegalStateException("integcov was not installed for the scenarios: "
                    + installed.failure().getMessage(), installed.failure());
        }
        Class<?> scenarioClass = e.getRequiredTestClass();
        ExtensionContext classContext = e.getTestMethod().isPresent() ? e.getParent().orElseThrow() : e;
        return classContext.getStore(NS).getOrComputeIfAbsent(CoverageScenarios.class, k -> {
            try {
                IntegcovInCluster integcov = IntegcovInCluster.in(cluster); // installed: waits until ready
                KubernetesClient admin = cluster.api().adminClient();
                return new CoverageScenarios(cluster, integcov, DefaultStoreAccess.open(admin), installed.cliJar(),
                        E2eEnv.workDir(scenarioClass.getSimpleName()));
            } catch (Exception ex) {
                throw new IllegalStateException("integcov not ready for " + scenarioClass.getSimpleName() + ": "
                        + ex.getMessage(), ex);
            }
        }, CoverageScenarios.class);
    }

    private static Installed install(LocalCluster cluster) {
        try {
            Path builtCliJar = E2eEnv.repoRoot().resolve("cli/target/integcov.jar");
            assertTrue(Files.isRegularFile(builtCliJar),
                    builtCliJar + " is missing; build it: mvn -B -pl cli -am install -DskipTests");
            Path cliJar = Files.copy(builtCliJar, E2eEnv.workDir("coverage-scenarios").resolve("integcov.jar"));
            IntegcovInCluster.in(cluster);
            Images.covapp(cluster);
            return new Installed(cliJar, null);
        } catch (Exception | Error e) {
            return new Installed(null, e);
        }
    }
}
