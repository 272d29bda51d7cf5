// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.source.OsList;
import hydrapi.testkit.Fuzz;

import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the JSON documents hydrapi reads from others: the OS list (downloaded for
 * {@code --base latest}) and the build manifest (read out of an image by {@code inspect --manifest}), through the one
 * JSON parser. Both are decoded from bytes as the callers do. Seeds: Imager's os_list shape and a manifest.
 */
class JsonDocumentsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        Fuzz.onlyOurs(() -> {
            OsList list = OsList.parse(text, "fuzz.json");
            list.images();
            for (OsList.Arch a : OsList.Arch.values()) {
                Fuzz.onlyOurs(() -> {
                    OsList.Image i = list.latestLite(a, "fuzz.json");
                    i.signatureUrl();
                    i.sha256Url();
                    i.fileName();
                });
            }
        });
        Fuzz.onlyOurs(() -> BuildManifest.parse(text, "fuzz.json").toJson());
    }
}
