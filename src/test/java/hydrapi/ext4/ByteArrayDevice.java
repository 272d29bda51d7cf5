// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.BlockDevice;
import java.io.IOException;

/** A device over one byte array, so fuzz iterations can mutate and restore an image without copying files. */
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
