// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.util.List;

/** File data moved between a byte array and a cluster chain, one device call per run of adjacent clusters. */
final class ClusterIo {

    private ClusterIo() {
    }

    /** Fills {@code out} from the chain; the chain may be longer than needed. */
    static void read(BlockDevice device, BootSector boot, List<Long> chain, byte[] out) throws IOException {
        long cb = boot.clusterBytes();
        int pos = 0;
        int i = 0;
        while (pos < out.length) {
            int run = runLength(chain, i);
            int len = (int) Math.min(out.length - pos, run * cb);
            device.read(boot.clusterOffsetBytes(chain.get(i)), out, pos, len);
            pos += len;
            i += run;
        }
    }

    /** Writes {@code content} over the chain, zero-filling the last cluster's tail so the bytes are deterministic. */
    static void write(BlockDevice device, BootSector boot, List<Long> chain, byte[] content) throws IOException {
        long cb = boot.clusterBytes();
        int pos = 0;
        int i = 0;
        while (i < chain.size()) {
            int run = runLength(chain, i);
            long offset = boot.clusterOffsetBytes(chain.get(i));
            int whole = (int) Math.min(content.length - pos, run * cb) / (int) cb * (int) cb;
            if (whole > 0) {
                device.write(offset, content, pos, whole);
            }
            int rest = (int) Math.min(content.length - pos - whole, run * cb - whole);
            if (whole < run * cb) {
                byte[] last = new byte[(int) cb];
                System.arraycopy(content, pos + whole, last, 0, rest);
                device.write(offset + whole, last);
            }
            pos += whole + rest;
            i += run;
        }
    }

    private static int runLength(List<Long> chain, int from) {
        int n = 1;
        while (from + n < chain.size() && chain.get(from + n) == chain.get(from + n - 1) + 1 && n < 4096) {
            n++;
        }
        return n;
    }
}
