package io.integcov.cli;

import io.integcov.cli.collect.CollectCommand;
import io.integcov.cli.install.InstallCommand;
import io.integcov.cli.run.RunCommand;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code integcov}: the in-pod wrapper ({@code run}), its installer ({@code install}) and CI-side tools. */
@Command(name = "integcov", mixinStandardHelpOptions = true, versionProvider = IntegcovCommand.Version.class,
        description = "Collects Go coverage (go build -cover) from programs run in Kubernetes pods.",
        subcommands = {RunCommand.class, InstallCommand.class, CollectCommand.class, CommandLine.HelpCommand.class})
public final class IntegcovCommand {

    public static void main(String[] args) {
        List<String> child = RunCommand.fastPath(args);
        int code = child != null ? new RunCommand(child).call() : commandLine().execute(args);
        System.out.flush();
        System.exit(code);
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new IntegcovCommand());
        commandLine.setExecutionExceptionHandler(IntegcovCommand::reportFailure);
        // `integcov run covapp -exit 3` works like `integcov run -- covapp -exit 3`
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        return commandLine;
    }

    /**
     * An unexpected failure (cluster unreachable, bad kubeconfig, ...) is one error line with its causes and exit code 1;
     * INTEGCOV_DEBUG=1 adds the stack trace.
     */
    static int reportFailure(Exception error, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + Errors.describe(error));
        if (System.getenv("INTEGCOV_DEBUG") != null && !System.getenv("INTEGCOV_DEBUG").isEmpty()) {
            error.printStackTrace(commandLine.getErr());
        }
        commandLine.getErr().flush();
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = IntegcovCommand.class.getPackage().getImplementationVersion();
            return new String[] {"integcov " + (version == null ? "(development build)" : version)};
        }
    }
}
