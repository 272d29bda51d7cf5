// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.testkit.Fuzz;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of what comes beside a base image and is read before it is trusted: its {@code .sha256}
 * sidecar, its OpenPGP {@code .sig} and the public key given with {@code --base-key} (armored or binary; Bouncy Castle
 * parses the packets, hydrapi picks, judges and reports). The input is three parts, each {@code u16 length} (little
 * endian) then its bytes: sidecar, signature, key. Seeds: a gpg-made key and detached signature over
 * {@link #IMAGE} (testdata/make-fuzz-seeds.sh).
 */
class BaseCheckFuzzTest {

    /** The signed "image" of the seeds. */
    static final byte[] IMAGE = "hydrapi fuzz base image\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static Path dir;

    @BeforeAll
    static void createDir() throws Exception {
        dir = Files.createTempDirectory("hydrapi-sig-fuzz-");
        Files.write(dir.resolve("base.img"), IMAGE);
    }

    @AfterAll
    static void removeDir() throws Exception {
        for (String n : new String[] {"base.img", "base.img.sha256", "base.img.sig"}) {
            Files.deleteIfExists(dir.resolve(n));
        }
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        int[] at = {0};
        byte[] sidecar = part(input, at);
        byte[] sig = part(input, at);
        byte[] key = part(input, at);
        Path image = dir.resolve("base.img");
        Files.write(dir.resolve("base.img.sha256"), sidecar);
        Files.write(dir.resolve("base.img.sig"), sig);
        Fuzz.onlyOurs(() -> Sha256Sums.read(dir.resolve("base.img.sha256")));
        Fuzz.onlyOurs(() -> {
            OpenPgpVerifier keys = OpenPgpVerifier.load(new ByteArrayInputStream(key), "fuzz.key");
            keys.fingerprints();
            for (boolean insecure : new boolean[] {false, true}) {
                Fuzz.onlyOurs(() -> BaseImageCheck.check(image, null, null, true,
                        new BasePolicy(keys, List.of(), insecure), null));
            }
            Fuzz.onlyOurs(() -> keys.verify(image, dir.resolve("base.img.sig"),
                    "54C3 DD61 0D9D 1B4A F82A 3775 8738 CD6B 956F 460C"));
        });
    }

    private static byte[] part(byte[] in, int[] at) {
        if (at[0] + 2 > in.length) {
            return new byte[0];
        }
        int len = (in[at[0]] & 0xFF) | (in[at[0] + 1] & 0xFF) << 8;
        int from = at[0] + 2;
        int to = Math.min(in.length, from + len);
        at[0] = to;
        return Arrays.copyOfRange(in, from, to);
    }
}
