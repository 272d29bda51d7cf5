// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.UnsupportedImageException;
import hydrapi.io.LittleEndian;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;

/** The integrity check of a Block, over its uncompressed data (xz-file-format.txt §3.4 and §6). */
abstract class XzCheck {

    static final int NONE = 0x00;
    static final int CRC32 = 0x01;
    static final int CRC64 = 0x04;
    static final int SHA256 = 0x0A;

    /** Check field size in bytes for any of the 16 Check IDs; reserved IDs still have a defined size (§2.1.1.2). */
    static int size(int checkType) {
        return checkType == 0 ? 0 : 4 << ((checkType - 1) / 3);
    }

    static boolean isSupported(int checkType) {
        return checkType == NONE || checkType == CRC32 || checkType == CRC64 || checkType == SHA256;
    }

    static XzCheck create(int checkType, String where) throws UnsupportedImageException {
        switch (checkType) {
            case NONE:
                return new None();
            case CRC32:
                return new Crc32Check();
            case CRC64:
                return new Crc64Check();
            case SHA256:
                return new Sha256Check();
            default:
                throw new UnsupportedImageException(where + ": check type 0x" + Integer.toHexString(checkType)
                        + " is not supported (only none, CRC32, CRC64, SHA-256); recompress with xz --check=crc64");
        }
    }

    abstract void update(byte[] b, int off, int len);

    /** The Check field bytes as stored in the file. */
    abstract byte[] finish();

    private static final class None extends XzCheck {
        @Override
        void update(byte[] b, int off, int len) {
        }

        @Override
        byte[] finish() {
            return new byte[0];
        }
    }

    private static final class Crc32Check extends XzCheck {
        private final CRC32 crc = new CRC32();

        @Override
        void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
        }

        @Override
        byte[] finish() {
            byte[] out = new byte[4];
            LittleEndian.put32(out, 0, crc.getValue());
            return out;
        }
    }

    private static final class Crc64Check extends XzCheck {
        private final Crc64 crc = new Crc64();

        @Override
        void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
        }

        @Override
        byte[] finish() {
            byte[] out = new byte[8];
            LittleEndian.put64(out, 0, crc.value());
            return out;
        }
    }

    private static final class Sha256Check extends XzCheck {
        private final MessageDigest md;

        Sha256Check() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        @Override
        void update(byte[] b, int off, int len) {
            md.update(b, off, len);
        }

        @Override
        byte[] finish() {
            return md.digest();
        }
    }
}
