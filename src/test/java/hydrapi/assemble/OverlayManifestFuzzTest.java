// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.testkit.Fuzz;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the overlay manifest reader: the input is {@code DIR/.hydrapi-manifest} as bytes (a
 * file from a git checkout, in any encoding), then sorted as the build applies it. Seeds: the README's example and
 * edge cases.
 */
class OverlayManifestFuzzTest {

    private static Path dir;

    @BeforeAll
    static void createDir() throws Exception {
        dir = Files.createTempDirectory("hydrapi-manifest-fuzz-");
    }

    @AfterAll
    static void removeDir() throws Exception {
        Files.deleteIfExists(dir.resolve(OverlayManifest.FILE_NAME));
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        Files.write(dir.resolve(OverlayManifest.FILE_NAME), input);
        Fuzz.onlyOurs(() -> OverlayManifest.sorted(OverlayManifest.read(dir)));
    }
}
