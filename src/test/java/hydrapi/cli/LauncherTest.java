// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script (src/main/launcher/hydrapi, copied to target/hydrapi by mvn package): it finds the jar beside
 * itself through symlinks, bounds the heap, and passes every argument through unchanged. A fake java records what
 * it is given.
 */
class LauncherTest {

    private static final Path SCRIPT = Path.of("src/main/launcher/hydrapi");

    private static List<String> launch(Path tmp, Path command, String javaOpts, String... args)
            throws IOException, InterruptedException {
        return launch(tmp, command, javaOpts, null, args);
    }

    private static List<String> launch(Path tmp, Path command, String javaOpts, Path pathDir, String... args)
            throws IOException, InterruptedException {
        Path record = tmp.resolve("args");
        Path fake = tmp.resolve("fake-java");
        Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + record + "'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new java.util.ArrayList<>(List.of(command.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA", fake.toString());
        pb.environment().remove("JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        if (pathDir != null) {
            pb.environment().put("PATH", pathDir + ":" + pb.environment().get("PATH"));
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return Files.readAllLines(record);
    }

    @Test
    void launcher_findsTheJarBesideItselfThroughASymlinkAndBoundsTheHeap(@TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("install/target"));
        Path script = bin.resolve("hydrapi");
        Files.copy(SCRIPT, script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path onPath = Files.createDirectories(tmp.resolve("home/.local/bin")).resolve("hydrapi");
        Files.createSymbolicLink(onPath, Path.of("../../../install/target/hydrapi"));

        List<String> args = launch(tmp, onPath, null, "build", "--overlay", "dir with spaces", "--quiet");
        int jar = args.indexOf("-jar");
        assertTrue(jar > 0, "java options come first: " + args);
        assertTrue(args.subList(0, jar).stream().anyMatch(a -> a.matches("-Xmx\\d+[mg]")), "bounded heap: " + args);
        assertEquals(bin.toRealPath().resolve("hydrapi.jar").toString(), args.get(jar + 1));
        assertEquals(List.of("build", "--overlay", "dir with spaces", "--quiet"), args.subList(jar + 2,
                args.size()));

        assertTrue(args.subList(0, jar).contains("-Dhydrapi.command=" + onPath), "how it was started: " + args);

        List<String> own = launch(tmp, script, "-Xmx1g -Dx=y", "verify", "a.img.xz");
        assertEquals(List.of("-Xmx1g", "-Dx=y", "-Dhydrapi.command=" + script, "-jar", bin.toRealPath().resolve("hydrapi.jar").toString(), "verify",
                "a.img.xz"), own, "JAVA_OPTS replaces the defaults");

        List<String> onPathArgs = launch(tmp, onPath, null, onPath.getParent(), "--help");
        assertTrue(onPathArgs.contains("-Dhydrapi.command=hydrapi"), "found on PATH, named bare: " + onPathArgs);
    }

    @Test
    void launcher_isShellcheckClean() throws IOException {
        Oracles.check("shellcheck", "--severity=style", SCRIPT.toString());
    }
}
