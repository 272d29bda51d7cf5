// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

/** A half-open byte range [startBytes, endBytes) of a device. */
public record ByteRange(long startBytes, long endBytes) {

    public ByteRange {
        if (startBytes < 0 || endBytes < startBytes) {
            throw new IllegalArgumentException("bad range [" + startBytes + ", " + endBytes + ")");
        }
    }

    public long lengthBytes() {
        return endBytes - startBytes;
    }

    public boolean overlaps(long start, long end) {
        return start < endBytes && startBytes < end;
    }
}
