// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.io.ByteArrayOutputStream;

/** The .xz variable-length integer: 7 bits per byte, low bits first, at most 9 bytes (xz-file-format.txt §1.2). */
final class Vli {

    static final long MAX = Long.MAX_VALUE;

    private Vli() {
    }

    static int size(long value) {
        int n = 1;
        for (long v = value >>> 7; v != 0; v >>>= 7) {
            n++;
        }
        return n;
    }

    static void write(ByteArrayOutputStream out, long value) {
        long v = value;
        while (v >= 0x80) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** A cursor over a byte array, for parsing headers and Indexes; malformed input is reported by the caller. */
    static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        int pos() {
            return pos;
        }

        boolean hasMore() {
            return pos < end;
        }

        int u8() throws FormatError {
            if (pos >= end) {
                throw new FormatError("field runs past its end");
            }
            return buf[pos++] & 0xFF;
        }

        /** Rejects truncated, over-long (over 9 bytes) and non-minimal encodings, as liblzma vli_decoder.c does. */
        long vli() throws FormatError {
            long value = 0;
            for (int i = 0; i < 9; i++) {
                int b = u8();
                value |= (long) (b & 0x7F) << (7 * i);
                if ((b & 0x80) == 0) {
                    if (b == 0 && i > 0) {
                        throw new FormatError("non-minimal variable-length integer");
                    }
                    return value;
                }
            }
            throw new FormatError("variable-length integer longer than 9 bytes");
        }
    }

    /** A parse failure inside a structure; callers turn it into a CorruptImageException saying where. */
    static final class FormatError extends Exception {
        private static final long serialVersionUID = 1L;

        FormatError(String message) {
            super(message, null, false, false);
        }
    }
}
