// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {

    @TempDir
    Path tmp;

    Path out;

    @BeforeEach
    void build() {
        out = tmp.resolve("v.img.xz");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--ssh",
                "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
    }

    @Test
    void verify_freshBuild_isOkAndSaysWhatItChecked() {
        Cli.Run r = Cli.run("verify", out.toString());
        assertEquals(0, r.exitCode(), r.out() + r.stderr());
        for (String what : new String[] {"sha256", "xz", "partition table", "p1 fat32", "p2 ext4"}) {
            assertTrue(r.out().contains(what), what + " not reported:\n" + r.out());
        }
        Cli.Run j = Cli.run("verify", out.toString(), "--json");
        assertTrue(j.out().contains("\"ok\": true"), j.out());
        // The library's report names the input; the user reads verify's option, in both forms.
        assertTrue(r.out().contains("SKIPPED signature        no --key given"), r.out());
        assertTrue(j.out().contains("no --key given"), j.out());
    }

    @Test
    void verify_keyFileMissing_namesVerifysOption() {
        Path absent = tmp.resolve("absent.asc");
        Cli.Run r = Cli.run("verify", out.toString(), "--key", absent.toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("hydrapi: --key " + absent + ": public key file not found\n", r.stderr());
    }

    @Test
    void verify_oneFlippedByte_isMismatch() throws Exception {
        byte[] b = Files.readAllBytes(out);
        b[b.length / 3] ^= 1;
        Files.write(out, b);
        Cli.Run r = Cli.run("verify", out.toString());
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.out().contains("FAILED"), r.out());
    }

    @Test
    void verify_sidecarForAnotherFile_isMismatch() throws Exception {
        Path side = tmp.resolve("v.img.xz.sha256");
        Files.writeString(side, "0".repeat(64) + "  v.img.xz\n");
        Cli.Run r = Cli.run("verify", out.toString());
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.stderr().contains("sha256"), r.stderr());
    }

    @Test
    void verify_missingFile_isIoError() {
        Cli.Run r = Cli.run("verify", tmp.resolve("nope.img.xz").toString());
        assertEquals(6, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("no such file"), r.stderr());
    }
}
