// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;

/** A window [startBytes, startBytes+sizeBytes) of a parent device: a partition seen as a device of its own. */
public final class SliceDevice implements BlockDevice {

    private final BlockDevice parent;
    private final long startBytes;
    private final long sizeBytes;

    public SliceDevice(BlockDevice parent, long startBytes, long sizeBytes) {
        if (startBytes < 0 || sizeBytes < 0 || startBytes > parent.sizeBytes() - sizeBytes) {
            throw new IllegalArgumentException("slice " + startBytes + "+" + sizeBytes
                    + " outside a device of " + parent.sizeBytes() + " bytes");
        }
        this.parent = parent;
        this.startBytes = startBytes;
        this.sizeBytes = sizeBytes;
    }

    public long startBytes() {
        return startBytes;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        parent.read(startBytes + offsetBytes, buf, off, len);
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        parent.write(startBytes + offsetBytes, buf, off, len);
    }
}
