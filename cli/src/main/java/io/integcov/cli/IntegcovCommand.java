package io.integcov.cli;

import io.integcov.cli.collect.CollectCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code integcov}: the CI-side tools ({@code collect}). What runs inside pods is the static Go {@code integcov-agent}
 * (agent/), since app images have no JVM.
 */
@Command(name = "integcov", mixinStandardHelpOptions = true, versionProvider = IntegcovCommand.Version.class,
        description = "Collects Go coverage (go build -cover) from programs run in Kubernetes pods.",
        subcommands = {CollectCommand.class, CommandLine.HelpCommand.class})
public final class IntegcovCommand {

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.out.flush();
        System.exit(code);
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new IntegcovCommand());
        commandLine.setExecutionExceptionHandler(IntegcovCommand::reportFailure);
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
