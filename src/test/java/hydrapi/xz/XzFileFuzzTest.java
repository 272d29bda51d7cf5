// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.testkit.Fuzz;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of every reader of an .xz base: the structure reader (Stream Header and Footer, Index,
 * Block Headers, Stream Padding), the parallel verifier, the sparse decoder, the decoded digest and the block-wise
 * random-access device. The input is the .xz file; seeds are xz-utils and hydrapi outputs
 * (testdata/make-fuzz-seeds.sh).
 */
class XzFileFuzzTest {

    private static Path dir;

    @BeforeAll
    static void createDir() throws Exception {
        dir = Files.createTempDirectory("hydrapi-xz-fuzz-");
    }

    @AfterAll
    static void removeDir() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        Path xz = dir.resolve("fuzz.img.xz");
        Files.write(xz, input);
        Fuzz.onlyOurs(() -> XzFile.readStructure(xz));
        Fuzz.onlyOurs(() -> XzVerifier.verify(xz, 1, null));
        Fuzz.onlyOurs(() -> XzDecoder.decodeToSparseFile(xz, dir.resolve("out.img"), null));
        Fuzz.onlyOurs(() -> XzDecodedDigest.sha256(xz, 1, null));
        Fuzz.onlyOurs(() -> {
            try (XzBlockDevice dev = XzBlockDevice.open(xz, 2)) {
                long size = dev.sizeBytes();
                dev.read(0, (int) Math.min(size, 1 << 16));
                if (size > 1 << 16) {
                    dev.read(size - (1 << 16), 1 << 16);
                }
            }
        });
    }
}
