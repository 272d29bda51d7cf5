// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.BlockDevice;
import java.io.IOException;

/** An in-memory read-only source for the writer; optionally fails reads at or after an offset. */
class ByteArrayDevice implements BlockDevice {

    private final byte[] data;
    private final long failAt;

    ByteArrayDevice(byte[] data) {
        this(data, Long.MAX_VALUE);
    }

    ByteArrayDevice(byte[] data, long failAt) {
        this.data = data;
        this.failAt = failAt;
    }

    @Override
    public long sizeBytes() {
        return data.length;
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, data.length);
        if (offsetBytes + len > failAt) {
            throw new IOException("simulated read error at byte " + failAt);
        }
        System.arraycopy(data, (int) offsetBytes, buf, off, len);
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) {
        throw new UnsupportedOperationException("read-only");
    }
}
