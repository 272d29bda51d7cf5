// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The files a build writes: modes under the umask, and output paths refused before any work, naming the real file. */
class BuildOutputFilesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"022, rw-r--r--", "027, rw-r-----", "077, rw-------"})
    void outputs_followTheUmask(String umask, String mode) throws Exception {
        Path out = dir.resolve("hydra.img.xz");
        Path log = dir.resolve("log");
        int rc = CliProcess.run(Map.of(), umask, log, "build", "--base", Samples.sampleXz().toString(), "--out",
                out.toString(), "--imager-manifest", dir.resolve("hydra.json").toString(), "--quiet");
        assertEquals(0, rc, Files.readString(log));
        for (String name : List.of("hydra.img.xz", "hydra.img.xz.sha256", "hydra.img.xz.manifest.json",
                "hydra.json")) {
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))),
                    name + " under umask " + umask);
        }
    }

    @Test
    void outIsADirectory_refusedBeforeWork() throws Exception {
        Path out = Files.createDirectory(dir.resolve("hydra.img.xz"));
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("hydrapi: " + out + " is a directory; name the file to write, e.g. " + out.resolve("hydra.img.xz")
                + "\n", r.stderr());
    }

    @Test
    void sidecarIsADirectory_refusedBeforeWork() throws Exception {
        Path sidecar = Files.createDirectory(dir.resolve("hydra.img.xz.sha256"));
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                dir.resolve("hydra.img.xz").toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: " + sidecar + " is a directory"), r.stderr());
        assertFalse(Files.exists(dir.resolve("hydra.img.xz")));
    }

    @Test
    void unwritableDirectory_namesTheOutputNotATemporary() {
        // sysfs refuses new files to everyone, root included.
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", "/sys/hydra.img.xz");
        assertEquals(6, r.exitCode(), r.stderr());
        assertEquals("hydrapi: /sys/hydra.img.xz: cannot be written in /sys (Permission denied)\n", r.stderr());
    }

    @Test
    void diskFull_namesTheOutput_leavesNothing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs");
        Path full = Files.createDirectory(dir.resolve("full"));
        Path log = dir.resolve("log");
        // A 16 KiB tmpfs in a mount namespace of its own; what it holds afterwards is listed from inside.
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs -o size=16k hydrapi-full \"$0\" && \"$@\"; rc=$?; echo left:; ls -A \"$0\"; exit $rc",
                full.toString()));
        cmd.addAll(CliProcess.command(null, "build", "--base", Samples.sampleXz().toString(), "--out",
                full.resolve("hydra.img.xz").toString(), "--quiet"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SOURCE_DATE_EPOCH", "1700000000");
        int rc = pb.start().waitFor();
        String text = Files.readString(log);
        assertEquals(6, rc, text);
        assertEquals("hydrapi: " + full.resolve("hydra.img.xz") + ": cannot be written in " + full
                + " (No space left on device)\nleft:\n", text);
    }
}
