// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A root filesystem with a feature hydrapi refuses is "unsupported" (exit 3) whichever path runs into it first. */
class UnsupportedRootTest {

    @TempDir
    Path dir;

    private Path disk;

    /** The sample disk with casefold turned on in its root by tune2fs. */
    @BeforeEach
    void casefoldRoot() throws Exception {
        disk = Samples.sampleRaw(dir);
        Path root = dir.resolve("root.img");
        byte[] bytes = new byte[(int) Samples.ROOT_SIZE];
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(Samples.ROOT_OFFSET);
            f.readFully(bytes);
            Files.write(root, bytes);
            Oracles.check("tune2fs", "-O", "casefold", root.toString());
            f.seek(Samples.ROOT_OFFSET);
            f.write(Files.readAllBytes(root));
        }
    }

    @Test
    void build_user_casefoldRoot_exit3NamingTheFeature() {
        Cli.Run r = Cli.run("build", "--base", disk.toString(), "--out", dir.resolve("o.img.xz").toString(), "--user",
                "alice", "--no-hydra", "--quiet");
        assertEquals(3, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: /etc/passwd: partition 2 cannot be read: ")
                && r.stderr().contains("'casefold' is not supported"), r.stderr());
    }

    @Test
    void build_bootOnly_casefoldRoot_exit3() {
        Cli.Run r = Cli.run("build", "--base", disk.toString(), "--out", dir.resolve("o.img.xz").toString(), "--ssh",
                "--quiet");
        assertEquals(3, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("'casefold' is not supported"), r.stderr());
    }

    @Test
    void inspect_cat_casefoldRoot_exit3() {
        Cli.Run r = Cli.run("inspect", disk.toString(), "--cat", "/etc/hostname");
        assertEquals(3, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("'casefold' is not supported"), r.stderr());
    }
}
