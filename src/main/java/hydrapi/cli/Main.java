// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.source.ToolVersion;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Entry point: wires picocli, the exit-code mapping and the error handler; commands only parse and delegate. */
@Command(name = "hydrapi", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Turns a Raspberry Pi OS Lite image into a Hydra build server image, offline and without root.",
        subcommands = {BuildCommand.class, VerifyCommand.class, InspectCommand.class, TryCommand.class,
            FleetCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n")
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    // The README promises these on every command; before the command they apply to it as if given after it.
    @CommandLine.Option(names = "--stacktrace", description = "On error, print the Java stack trace too.")
    boolean stacktrace;

    @CommandLine.Option(names = "--threads", paramLabel = "N",
            description = "Worker threads for compression and checking (default: all cores).")
    Integer threads;

    /** The process environment, replaceable in tests (SOURCE_DATE_EPOCH, TMPDIR). */
    final Map<String, String> env;
    /** Whether standard error is a terminal, so progress may be drawn. */
    final boolean terminal;

    /** Standard output as bytes, for --cat and try's console. */
    final OutputStream stdout;
    /** Standard error as bytes, for try's console under --json. */
    final OutputStream stderr;

    Main(Map<String, String> env, boolean terminal, OutputStream stdout, OutputStream stderr) {
        this.env = env;
        this.terminal = terminal;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: build, verify, inspect, try"
                + " or help");
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, System.getenv(), System.console() != null));
    }

    /** Runs one command line; returns the exit code. {@code terminal}: whether progress may be drawn. */
    public static int execute(String[] args, OutputStream stdout, OutputStream stderr, Map<String, String> env,
                              boolean terminal) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(new Main(env, terminal, stdout, stderr));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(t -> ExitCode.of(t).code);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean trace = parseResult.hasMatchedOption("--stacktrace") || parseResult.subcommand() != null
                    && parseResult.subcommand().hasMatchedOption("--stacktrace");
            ExitCode code = ExitCode.of(ex);
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            if (ex instanceof java.nio.file.NoSuchFileException) {
                msg = "no such file: " + msg;
            } else if (ex instanceof java.nio.file.AccessDeniedException) {
                msg = "permission denied: " + msg;
            } else if (ex instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    && fse.getFile() != null) {
                msg = fse.getFile() + ": " + fse.getReason();
            }
            msg = InputOptions.render(msg);
            if (code == ExitCode.INTERNAL) {
                msg = "internal error: " + ex + " (re-run with --stacktrace and report it)";
            }
            commandLine.getErr().println("hydrapi: " + msg.replace('\n', ' '));
            if (trace) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return code.code;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("hydrapi: " + ex.getMessage());
            c.getErr().println("Try '" + invocation() + c.getCommandSpec().qualifiedName().substring("hydrapi".length())
                    + " --help' for more information.");
            c.getErr().flush();
            return ExitCode.USAGE.code;
        });
        setExitCodeHelp(cl);
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /**
     * How the user started hydrapi, for "Try '… --help'": what the launcher says ({@code -Dhydrapi.command}), else
     * {@code java -jar JAR} when run from the jar, else {@code hydrapi}.
     */
    static String invocation() {
        java.security.CodeSource cs = Main.class.getProtectionDomain().getCodeSource();
        return invocation(System.getProperty("hydrapi.command"), cs == null ? null : cs.getLocation());
    }

    static String invocation(String launcher, java.net.URL codeSource) {
        if (launcher != null && !launcher.isBlank()) {
            return launcher;
        }
        if (codeSource != null && codeSource.getPath().endsWith(".jar")) {
            try {
                return "java -jar " + java.nio.file.Path.of(codeSource.toURI());
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return "java -jar " + codeSource.getPath();
            }
        }
        return "hydrapi";
    }

    private static void setExitCodeHelp(CommandLine cl) {
        Map<String, String> codes = new java.util.LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(String.format("%3d", c.code), c.description);
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        }
    }

    /** The version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hydrapi " + ToolVersion.get()};
        }
    }
}
