// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A host file as a device, opened read-only unless asked: the base image is never written. */
public final class FileBlockDevice implements BlockDevice {

    private final FileChannel channel;
    private final long sizeBytes;
    private final boolean writable;

    private FileBlockDevice(FileChannel channel, boolean writable) throws IOException {
        this.channel = channel;
        this.sizeBytes = channel.size();
        this.writable = writable;
    }

    public static FileBlockDevice openReadOnly(Path file) throws IOException {
        return new FileBlockDevice(FileChannel.open(file, StandardOpenOption.READ), false);
    }

    /** For scratch files and tests only; the size is fixed at open time. */
    public static FileBlockDevice openReadWrite(Path file) throws IOException {
        return new FileBlockDevice(FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE), true);
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        long pos = offsetBytes;
        while (bb.hasRemaining()) {
            int n = channel.read(bb, pos);
            if (n < 0) {
                throw new java.io.EOFException("file ended at byte " + pos + " of " + sizeBytes);
            }
            pos += n;
        }
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        if (!writable) {
            throw new IllegalStateException("write to a read-only file device");
        }
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        long pos = offsetBytes;
        while (bb.hasRemaining()) {
            pos += channel.write(bb, pos);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
