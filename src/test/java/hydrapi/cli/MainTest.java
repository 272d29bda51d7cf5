// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.net.URL;

import org.junit.jupiter.api.Test;

/** What the README promises of every command, before the command too, and how errors say to get help. */
class MainTest {

    @Test
    void help_command_printsTheCommandsUsage() {
        Cli.Run r = Cli.run("help", "build");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.out().startsWith("Usage: hydrapi build "), r.out());
        assertTrue(r.out().contains("--base=FILE|URL|latest"), r.out());
    }

    @Test
    void stacktrace_beforeTheCommand_printsTheTrace() {
        Cli.Run r = Cli.run("--stacktrace", "inspect", "/nonexistent.img");
        assertEquals(6, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: no such file: /nonexistent.img\njava.nio.file.NoSuchFileException"),
                r.stderr());
        assertTrue(r.stderr().contains("\tat hydrapi."), r.stderr());
    }

    @Test
    void threads_beforeTheCommand_reachesIt() {
        Cli.Run r = Cli.run("--threads", "0", "build", "--base", Samples.sampleXz().toString(), "--out",
                "/tmp/never-written.img.xz");
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("hydrapi: --threads 0: give 1 or more\n", r.stderr());
        assertEquals(0, Cli.run("--threads", "1", "verify", Samples.sampleXz().toString(), "--quiet").exitCode());
    }

    @Test
    void tryHelp_namesHowHydrapiWasStarted() throws Exception {
        assertEquals("java -jar /opt/hydrapi/hydrapi.jar",
                Main.invocation(null, new URL("file:/opt/hydrapi/hydrapi.jar")));
        assertEquals("hydrapi", Main.invocation("hydrapi", new URL("file:/opt/hydrapi/hydrapi.jar")));
        assertEquals("hydrapi", Main.invocation(null, new URL("file:/work/target/classes/")));
        Cli.Run r = Cli.run("build", "--no-such-option");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().endsWith("\nTry 'hydrapi build --help' for more information.\n"), r.stderr());
    }
}
