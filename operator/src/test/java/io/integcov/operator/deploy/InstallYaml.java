package io.integcov.operator.deploy;

import io.integcov.testing.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * deploy/install.yaml, the one file for {@code kubectl apply -f}: what kustomize (the pinned version) renders from
 * deploy/, under a header. {@link #main} rewrites it; the Maven profile {@code update-install} of operator/ runs it
 * ({@value #REGENERATE}), and InstallYamlTest checks it on every build. In test sources because kustomize is only a
 * build tool here: nothing at run time needs it.
 */
public final class InstallYaml {
    static final String REGENERATE = "mvn -B -ntp -pl operator -Pupdate-install process-test-classes";
    static final String HEADER = """
            # integcov in one file: kubectl apply -f deploy/install.yaml (the same objects as kubectl apply -k deploy/).
            # Rendered from deploy/ by kustomize; do not edit. After changing deploy/, regenerate it with
            #   %s
            # Uninstall: see deploy/README.md.
            """.formatted(REGENERATE);

    private InstallYaml() {
    }

    /** Rewrites deploy/install.yaml with what kustomize renders from deploy/. */
    public static void main(String[] args) throws IOException, InterruptedException {
        Files.writeString(file(), render());
        System.out.println("wrote " + file());
    }

    static String render() throws IOException, InterruptedException {
        return HEADER + Kustomize.buildPinned(RepoRoot.find().resolve("deploy"));
    }

    static Path file() {
        return RepoRoot.find().resolve("deploy/install.yaml");
    }
}
