// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Gpg;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build --sign-key and verify --key, judged by gpg --verify. */
class BuildSignTest {

    @TempDir
    Path tmp;

    @Test
    void build_signKey_writesADetachedSignatureGpgAccepts_andVerifyKeyCatchesOneByte() throws Exception {
        try (Gpg gpg = new Gpg()) {
            String fpr = gpg.generate("Builder <builder@example.org>", "rsa2048", "sign", "s3cret");
            Path secret = gpg.exportSecret(fpr, "s3cret", tmp.resolve("secret.asc"));
            Path pub = gpg.exportPublic(fpr, true, tmp.resolve("public.asc"));
            Path pass = tmp.resolve("pass");
            Files.writeString(pass, "s3cret\n");
            Path out = tmp.resolve("signed.img.xz");
            Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--ssh",
                    "--sign-key", secret.toString(), "--sign-passphrase-file", pass.toString(), "--quiet");
            assertEquals(0, r.exitCode(), r.stderr());
            Path asc = tmp.resolve("signed.img.xz.asc");
            Oracles.Result v = gpg.run("--verify", asc.toString(), out.toString());
            assertEquals(0, v.exitCode(), v.all());
            assertTrue(v.all().contains("Good signature"), v.all());

            Cli.Run ok = Cli.run("verify", out.toString(), "--key", pub.toString());
            assertEquals(0, ok.exitCode(), ok.out() + ok.stderr());
            assertTrue(ok.out().contains("good signature by " + fpr), ok.out());

            // The build manifest beside the image is signed too; the image's signature covers the copy inside it.
            Path manifest = tmp.resolve("signed.img.xz.manifest.json");
            Oracles.Result m = gpg.run("--verify", manifest + ".asc", manifest.toString());
            assertEquals(0, m.exitCode(), m.all());

            byte[] b = Files.readAllBytes(out);
            b[b.length - 100] ^= 1;
            Files.write(out, b);
            assertFalse(gpg.run("--verify", asc.toString(), out.toString()).exitCode() == 0);
            Cli.Run bad = Cli.run("verify", out.toString(), "--key", pub.toString());
            assertEquals(1, bad.exitCode(), bad.out());
        }
    }

    @Test
    void build_imagerManifest_sizesAndHashesMatchTheFiles() throws Exception {
        Path out = tmp.resolve("img.img.xz");
        Path json = tmp.resolve("os_list.json");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--ssh",
                "--imager-manifest", json.toString(), "--imager-url", "https://example.org/img.img.xz", "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        // python3's json module reads it; every figure is recomputed with stock tools.
        String fields = Oracles.run("python3", "-c", "import json,sys; o=json.load(open(sys.argv[1]))['os_list'][0];"
                + " print(o['extract_size'], o['extract_sha256'], o['image_download_size'],"
                + " o['image_download_sha256'], o['init_format'], o['url'])", json.toString()).out().strip();
        String rawSha = Oracles.run("sh", "-c", "xz -dc \"$0\" | sha256sum", out.toString()).out().substring(0, 64);
        String rawSize = Oracles.run("sh", "-c", "xz -dc \"$0\" | wc -c", out.toString()).out().strip();
        String xzSha = Oracles.run("sha256sum", out.toString()).out().substring(0, 64);
        String xzSize = Oracles.run("stat", "-c", "%s", out.toString()).out().strip();
        assertEquals(rawSize + " " + rawSha + " " + xzSize + " " + xzSha + " none https://example.org/img.img.xz",
                fields);
    }

    @Test
    void build_wrongPassphrase_isRefusedBeforeAnythingIsWritten() throws Exception {
        try (Gpg gpg = new Gpg()) {
            String fpr = gpg.generate("B <b@example.org>", "ed25519", "sign", "right");
            Path secret = gpg.exportSecret(fpr, "right", tmp.resolve("secret.asc"));
            Path outDir = Files.createDirectories(tmp.resolve("out"));
            Cli.Run r = Cli.run(Map.of("HYDRAPI_SIGN_PASSPHRASE", "wrong"), "build", "--base",
                    Samples.sampleXz().toString(), "--out", outDir.resolve("o.img.xz").toString(), "--sign-key",
                    secret.toString());
            assertEquals(2, r.exitCode(), r.stderr());
            assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
            try (var s = Files.list(outDir)) {
                assertEquals(0, s.count());
            }
        }
    }
}
