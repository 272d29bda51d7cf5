// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.io.BlockDevice;
import java.io.IOException;

/** An in-memory device for fuzzing, where thousands of mutated images must not touch the disk. */
final class ByteArrayDevice implements BlockDevice {

    final byte[] bytes;

    ByteArrayDevice(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long sizeBytes() {
        return bytes.length;
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, bytes.length);
        System.arraycopy(bytes, (int) offsetBytes, buf, off, len);
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, bytes.length);
        System.arraycopy(buf, off, bytes, (int) offsetBytes, len);
    }
}
