// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overlay file names reach the image as the user wrote them, whatever the locale, and VCS metadata stays out. */
class OverlayNamesTest {

    @TempDir
    Path dir;

    private Path overlayWithUmlauts() throws Exception {
        Path ov = dir.resolve("ov");
        Files.createDirectories(ov.resolve("etc"));
        Files.writeString(ov.resolve("etc/café-ü.txt"), "x\n");
        return ov;
    }

    @Test
    void nonAsciiName_posixLocale_refusedNotMangled() throws Exception {
        Path ov = overlayWithUmlauts();
        Path log = dir.resolve("log");
        int rc = CliProcess.run(Map.of("LANG", "POSIX", "LC_ALL", "POSIX"), null, log, "build", "--base",
                Samples.sampleXz().toString(), "--out", dir.resolve("o.img.xz").toString(), "--overlay", ov.toString());
        String err = Files.readString(log);
        assertEquals(2, rc, err);
        assertTrue(err.startsWith("hydrapi: " + ov + ": the name /etc/caf"), err);
        assertTrue(err.endsWith(" cannot be read as UTF-8 (file names are decoded as ANSI_X3.4-1968 here); run hydrapi"
                + " in a UTF-8 locale (e.g. LC_ALL=C.UTF-8)\n"), err);
        assertFalse(Files.exists(dir.resolve("o.img.xz")));
    }

    @Test
    void nonAsciiName_utf8Locale_writtenAsIs() throws Exception {
        Path ov = overlayWithUmlauts();
        Path log = dir.resolve("log");
        Map<String, String> utf8 = Map.of("LANG", "C.UTF-8", "LC_ALL", "C.UTF-8");
        Path out = dir.resolve("o.img.xz");
        assertEquals(0, CliProcess.run(utf8, null, log, "build", "--base", Samples.sampleXz().toString(), "--out",
                out.toString(), "--overlay", ov.toString(), "--quiet"), Files.readString(log));
        assertEquals(0, CliProcess.run(utf8, null, log, "inspect", out.toString(), "--ls", "/etc/café-ü.txt"),
                Files.readString(log));
        assertTrue(Files.readString(log).endsWith(" café-ü.txt\n"), Files.readString(log));
    }

    @Test
    void vcsDirectories_notCopied() throws Exception {
        Path ov = dir.resolve("ov");
        Files.createDirectories(ov.resolve(".git/objects"));
        Files.writeString(ov.resolve(".git/config"), "[core]\n");
        Files.createDirectories(ov.resolve("etc/hydra/.svn"));
        Files.writeString(ov.resolve("etc/hydra/.svn/entries"), "12\n");
        Files.createDirectories(ov.resolve("opt/sub"));
        Files.writeString(ov.resolve("opt/sub/.git"), "gitdir: ../../.git/modules/sub\n");
        Files.writeString(ov.resolve("etc/hydra/x.conf"), "x\n");
        Files.writeString(ov.resolve(".gitignore"), "*.swp\n");
        Path out = dir.resolve("o.img.xz");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--overlay",
                ov.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        String manifest = Files.readString(dir.resolve("o.img.xz.manifest.json"));
        assertTrue(manifest.contains("\"/etc/hydra/x.conf\""), manifest);
        assertTrue(manifest.contains("\"/.gitignore\""), "only VCS directories are left out: " + manifest);
        for (String vcs : new String[] {"/.git", "/.svn", "/opt/sub/.git"}) {
            assertFalse(manifest.contains(vcs + "\""), manifest);
            assertFalse(manifest.contains(vcs + "/"), manifest);
        }
        assertEquals(2, Cli.run("inspect", out.toString(), "--ls", "/.git").exitCode());
    }
}
