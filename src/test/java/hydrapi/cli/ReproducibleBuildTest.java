// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Gpg;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's reproducibility promise, tested the way jib tests its own: the same recipe built twice from
 * different directories, re-timestamped overlay copies, thread counts 1, 2 and 4 and a later wall clock, with
 * {@code SOURCE_DATE_EPOCH} set alike, must give byte-identical output files, all of them: the image, its
 * .sha256, the build manifest, both signatures and the Imager manifest. cmp is the judge.
 */
class ReproducibleBuildTest {

    @TempDir
    Path tmp;

    /** The same overlay tree at {@code dir}, every entry re-timestamped to {@code mtimeMillis}. */
    private static Path overlay(Path dir, long mtimeMillis) throws IOException {
        Path fw = Files.createDirectories(dir.resolve("boot/firmware"));
        Files.writeString(fw.resolve("config.txt"), "arm_64bit=1\nenable_uart=1\n");
        byte[] big = new byte[200_000];
        new Random(7).nextBytes(big);
        Files.write(Files.createDirectories(dir.resolve("etc/hydra")).resolve("blob.bin"), big);
        Files.writeString(dir.resolve("etc/hydra/extra.conf"), "max_servers 4\n");
        Files.writeString(dir.resolve(".hydrapi-manifest"), "0640 root:hydra /etc/hydra/extra.conf\n");
        Files.createSymbolicLink(dir.resolve("etc/hydra/current"), Path.of("extra.conf"));
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
                }
            }
        }
        return dir;
    }

    private static Cli.Run build(Path dir, Path overlay, int threads, Path sshKey, Path passwordFile, Path signKey) {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_DATE_EPOCH", "1700000000");
        env.put("HYDRAPI_SIGN_PASSPHRASE", "pw");
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        return Cli.run(env, "build", "--base", Samples.sampleXz().toString(), "--out",
                dir.resolve("hydra.img.xz").toString(), "--overlay", overlay.toString(), "--ssh", "--cmdline-append",
                "quiet", "--user", "alice", "--ssh-key", sshKey.toString(), "--password-file", passwordFile.toString(),
                "--sign-key", signKey.toString(), "--imager-manifest", dir.resolve("os_list.json").toString(),
                "--threads", String.valueOf(threads), "--quiet");
    }

    @Test
    void build_sameRecipeTwice_givesByteIdenticalOutputs() throws Exception {
        try (Gpg gpg = new Gpg()) {
            // RSA: PKCS#1 v1.5 signatures are deterministic (ECDSA's are not; OpenPgpSignerTest).
            String fpr = gpg.generate("Builder <b@example.invalid>", "rsa2048", "sign", "pw");
            Path secret = gpg.exportSecret(fpr, "pw", tmp.resolve("secret.asc"));
            Oracles.check("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test", "-f",
                    tmp.resolve("k").toString());
            Path password = Files.writeString(tmp.resolve("password"), "correct horse\n");

            Path a = Files.createDirectories(tmp.resolve("first"));
            Cli.Run ra = build(a, overlay(tmp.resolve("overlay-one"), System.currentTimeMillis()), 1,
                    tmp.resolve("k.pub"), password, secret);
            assertEquals(0, ra.exitCode(), ra.stderr());
            // A later wall clock: the build must read only SOURCE_DATE_EPOCH.
            Thread.sleep(1100);
            Path b = Files.createDirectories(tmp.resolve("second/deeper"));
            Cli.Run rb = build(b, overlay(tmp.resolve("elsewhere/overlay-two"), 123_000_000L), 2,
                    tmp.resolve("k.pub"), password, secret);
            assertEquals(0, rb.exitCode(), rb.stderr());

            // And 4 threads on these 2 cores: more workers than cores change nothing either.
            Path c = Files.createDirectories(tmp.resolve("third"));
            Cli.Run rc = build(c, overlay(tmp.resolve("overlay-three"), 5_000_000L), 4, tmp.resolve("k.pub"),
                    password, secret);
            assertEquals(0, rc.exitCode(), rc.stderr());

            List<String> names = outputs(a);
            assertEquals(List.of("hydra.img.xz", "hydra.img.xz.asc", "hydra.img.xz.manifest.json",
                    "hydra.img.xz.manifest.json.asc", "hydra.img.xz.sha256", "os_list.json"), names);
            assertEquals(names, outputs(b));
            assertEquals(names, outputs(c));
            for (String n : names) {
                for (Path other : List.of(b, c)) {
                    Oracles.Result cmp = Oracles.run("cmp", a.resolve(n).toString(), other.resolve(n).toString());
                    assertEquals(0, cmp.exitCode(), n + " differs: " + cmp.all());
                }
            }
            // Nothing of the machine or its directories leaks into the manifest.
            String manifest = Files.readString(a.resolve("hydra.img.xz.manifest.json"), StandardCharsets.UTF_8);
            assertFalse(manifest.contains(tmp.toString()) || manifest.contains("overlay-one"), manifest);
            assertTrue(manifest.contains("\"/etc/hydra/extra.conf\"") && manifest.contains("\"mode\": \"0640\""),
                    manifest);
            assertArrayEquals(Files.readAllBytes(a.resolve("hydra.img.xz.manifest.json")),
                    Cli.run("inspect", b.resolve("hydra.img.xz").toString(), "--manifest").stdout());
        }
    }

    private static List<String> outputs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().forEach(out::add);
            return out;
        }
    }
}
