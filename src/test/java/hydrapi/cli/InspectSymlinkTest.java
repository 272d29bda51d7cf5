// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * inspect --cat follows symlinks as the Pi would (/etc/os-release is one on every Debian), across partitions, and
 * never out of the image: an absolute or climbing target is resolved against the image's root, not the host's.
 */
class InspectSymlinkTest {

    @TempDir
    static Path dir;

    private static Path image;

    @BeforeAll
    static void build() throws Exception {
        Path ov = dir.resolve("ov");
        Files.createDirectories(ov.resolve("usr/lib"));
        Files.createDirectories(ov.resolve("etc/sub"));
        Files.writeString(ov.resolve("usr/lib/os-release"), "ID=debian\nVERSION_CODENAME=bookworm\n");
        Files.createSymbolicLink(ov.resolve("etc/os-release"), Path.of("../usr/lib/os-release"));
        Files.createSymbolicLink(ov.resolve("etc/absolute"), Path.of("/usr/lib/os-release"));
        Files.createSymbolicLink(ov.resolve("etc/chain"), Path.of("sub/to-os-release"));
        Files.createSymbolicLink(ov.resolve("etc/sub/to-os-release"), Path.of("../os-release"));
        Files.createSymbolicLink(ov.resolve("etc/libdir"), Path.of("../usr/lib"));
        Files.createSymbolicLink(ov.resolve("etc/cmdline"), Path.of("/boot/firmware/cmdline.txt"));
        Files.createSymbolicLink(ov.resolve("etc/climb"), Path.of("../../../../../../etc/hostname"));
        Files.createSymbolicLink(ov.resolve("etc/loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(ov.resolve("etc/loop-b"), Path.of("loop-a"));
        Files.createSymbolicLink(ov.resolve("etc/dangling"), Path.of("/nowhere/file"));
        image = dir.resolve("o.img.xz");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", image.toString(), "--overlay",
                ov.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
    }

    private static String cat(String path) {
        Cli.Run r = Cli.run("inspect", image.toString(), "--cat", path);
        assertEquals(0, r.exitCode(), path + ": " + r.stderr());
        return new String(r.stdout(), StandardCharsets.UTF_8);
    }

    @Test
    void cat_followsRelativeAbsoluteAndChainedLinks() {
        String release = "ID=debian\nVERSION_CODENAME=bookworm\n";
        assertEquals(release, cat("/etc/os-release"));
        assertEquals(release, cat("/etc/absolute"));
        assertEquals(release, cat("/etc/chain"));
        // Intermediate symlinks too, as /lib -> usr/lib on a merged-/usr root.
        assertEquals(release, cat("/etc/libdir/os-release"));
    }

    @Test
    void cat_followsIntoTheBootPartition() {
        assertTrue(cat("/etc/cmdline").contains("root="), cat("/etc/cmdline"));
    }

    @Test
    void cat_climbingTarget_staysInTheImage() {
        assertEquals("raspberrypi\n", cat("/etc/climb"));
    }

    @Test
    void cat_loopAndDangling_refusedInOneLine() {
        Cli.Run loop = Cli.run("inspect", image.toString(), "--cat", "/etc/loop-a");
        assertEquals(2, loop.exitCode(), loop.stderr());
        assertEquals("hydrapi: /etc/loop-a: more than 40 symlinks on the way (a loop?)\n", loop.stderr());
        Cli.Run dangling = Cli.run("inspect", image.toString(), "--cat", "/etc/dangling");
        assertEquals(2, dangling.exitCode(), dangling.stderr());
        assertEquals("hydrapi: /etc/dangling (-> /nowhere/file): /nowhere/file: no such file or directory in the"
                + " image\n", dangling.stderr());
    }

    @Test
    void ls_link_listsTheLinkItself() {
        Cli.Run r = Cli.run("inspect", image.toString(), "--ls", "/etc/os-release");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.out().contains("os-release -> ../usr/lib/os-release"), r.out());
    }
}
