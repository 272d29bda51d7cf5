// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ctrl-C and SIGTERM during a build leave nothing behind; a later build removes what a killed one left. */
class BuildInterruptTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void signalWhileCompressing_zipBase_leavesNothing(String signal) throws Exception {
        // A .zip base is decoded to a full-size scratch file beside the output, then the whole disk is compressed;
        // random bytes after the last partition keep the compression busy for seconds.
        Path raw = Samples.sampleRaw(dir);
        byte[] noise = new byte[32 << 20];
        new java.util.Random(15).nextBytes(noise);
        Files.write(raw, noise, java.nio.file.StandardOpenOption.APPEND);
        Path zip = dir.resolve("base.zip");
        Oracles.check("zip", "-j", "-q", zip.toString(), raw.toString());
        Files.delete(raw);
        Path out = Files.createDirectory(dir.resolve("out"));
        Path log = dir.resolve("log");
        Process p = CliProcess.builder(Map.of(), null, log, "build", "--base", zip.toString(), "--out",
                out.resolve("hydra.img.xz").toString(), "--threads", "1", "--quiet").start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!compressing(out)) {
            if (!p.isAlive()) {
                fail("the build ended (exit " + p.exitValue() + ") before compressing: " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("the build did not start compressing within 180 s: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        List<String> during = names(out);
        assertTrue(during.stream().anyMatch(n -> n.startsWith("hydrapi-zip-")), "scratch present: " + during);
        Oracles.check("kill", "-" + signal, Long.toString(p.pid()));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "hydrapi did not stop on SIG" + signal);
        assertEquals(List.of(), names(out), "left behind after SIG" + signal + " (" + during + " during the build)");
    }

    @Test
    void build_removesStaleTemporariesOfDeadRuns_keepsLiveOnes() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        long live = ProcessHandle.current().pid();
        Path out = dir.resolve("hydra.img.xz");
        List<String> stale = List.of(".hydra.img.xz.hydrapi-" + dead + "-abc123.part",
                ".hydra.img.xz.sha256.hydrapi-" + dead + "-x1.part", "hydrapi-zip-" + dead + "-k9.img",
                "hydrapi-base-" + dead + "-k9.img");
        List<String> kept = List.of(".hydra.img.xz.hydrapi-" + live + "-abc123.part", "hydrapi-zip-" + live + "-q.img",
                ".other.img.xz.hydrapi-" + dead + "-abc.part", "hydrapi-zip-notes.img", ".hydra.img.xz.1234.part");
        for (String n : Stream.concat(stale.stream(), kept.stream()).toList()) {
            Files.write(dir.resolve(n), new byte[] {1});
            // Written before this JVM started would make the live id's file look stale; now it is not.
            Files.setLastModifiedTime(dir.resolve(n), FileTime.from(Instant.now()));
        }
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        for (String n : stale) {
            assertFalse(Files.exists(dir.resolve(n)), n + " should be removed");
        }
        for (String n : kept) {
            assertTrue(Files.exists(dir.resolve(n)), n + " should be kept");
        }
    }

    private static boolean compressing(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".hydra.img.xz.")
                    && p.toFile().length() > 0);
        }
    }

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
