// SPDX-License-Identifier: Apache-2.0
package hydrapi.disk;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.io.BlockDevice;
import hydrapi.testkit.Fuzz;

import java.io.IOException;

/**
 * Coverage-guided fuzzing of the MBR reader: the input is a disk's first bytes, zero-extended to 1 GiB so partitions
 * have room. Seeds and regression inputs: MbrFuzzTestInputs/fuzz/ (sfdisk-made tables, testdata/make-fuzz-seeds.sh).
 */
class MbrFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        Fuzz.onlyOurs(() -> {
            DiskImage d = DiskImage.open(new ZeroExtended(input, 1L << 30), "fuzz.img");
            for (PartitionEntry e : d.partitions()) {
                d.mbr().partUuid(e.index());
                e.typeName();
                BlockDevice p = d.partition(e.index());
                p.read(0, (int) Math.min(512, p.sizeBytes()));
            }
        });
    }

    /** The input's bytes, then zeros up to a size, without allocating it. */
    record ZeroExtended(byte[] head, long sizeBytes) implements BlockDevice {
        @Override
        public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
            BlockDevice.checkRange(offsetBytes, len, sizeBytes);
            java.util.Arrays.fill(buf, off, off + len, (byte) 0);
            if (offsetBytes < head.length) {
                System.arraycopy(head, (int) offsetBytes, buf, off, (int) Math.min(len, head.length - offsetBytes));
            }
        }

        @Override
        public void write(long offsetBytes, byte[] buf, int off, int len) throws IOException {
            throw new IOException("read-only");
        }
    }
}
