// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.testkit.Fuzz;

import java.io.ByteArrayInputStream;
import java.util.Arrays;

import org.tukaani.xz.ArrayCache;

/**
 * Coverage-guided fuzzing of the byte-level xz parsers directly (Stream Header and Footer flags, Block Header with its
 * filter chain, Index records), which the whole-file target reaches only past CRC32s. Their one failure is
 * {@link Vli.FormatError}, which every caller turns into a CorruptImageException naming file and offset.
 */
class XzHeadersFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        byte[] twelve = Arrays.copyOf(input, XzStreamFlags.SIZE);
        try {
            XzStreamFlags.parseHeader(twelve);
        } catch (Vli.FormatError refused) {
            // the callers' CorruptImageException
        }
        try {
            XzStreamFlags.parseFooter(twelve);
        } catch (Vli.FormatError refused) {
            // as above
        }
        if (input.length > 0) {
            try {
                XzBlockHeader h = XzBlockHeader.parse(input);
                // The filter chain's properties are judged when its decoder is built.
                Fuzz.onlyOurs(() -> XzFilterChain.decoder(h.filters(), new ByteArrayInputStream(input),
                        Math.max(0, h.uncompressedSize()), ArrayCache.getDummyCache(), "fuzz.xz: block 0").close());
            } catch (Vli.FormatError refused) {
                // as above
            }
        }
        if (input.length >= 4) {
            try {
                XzIndex.parse(input);
            } catch (Vli.FormatError refused) {
                // as above
            }
        }
    }
}
