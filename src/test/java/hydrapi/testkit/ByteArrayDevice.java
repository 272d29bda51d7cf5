// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;

import hydrapi.io.BlockDevice;
import java.io.IOException;

/** A read-write device over one byte array: fuzz tests mutate and restore images in memory, never on disk. */
public final class ByteArrayDevice implements BlockDevice {

    private final byte[] bytes;

    public ByteArrayDevice(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The live array: changes through the device show here and the other way round. */
    public byte[] bytes() {
        return bytes;
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
