package io.integcov.cli.install;

import io.integcov.cli.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code integcov install DIR}: what the webhook's init container runs to put the wrapper into the shared volume. */
@Command(name = "install", description = "Copies the integcov wrapper into DIR as the executable DIR/integcov "
        + "(a native image copies itself; the JVM build copies its jar plus a launcher script). DIR is made "
        + "world-readable, as the app container may run as another user.")
public final class InstallCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "target directory (created if missing)")
    Path dir;

    @Override
    public Integer call() {
        try {
            Path installed = Installer.install(dir);
            Log.info("installed " + installed);
            return 0;
        } catch (IOException | IllegalStateException e) {
            Log.info("install into " + dir + " failed: " + e.getMessage());
            return 1;
        }
    }
}
