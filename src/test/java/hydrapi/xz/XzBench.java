// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.FileBlockDevice;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Command-line entry for bench/xz-bench.sh: {@code XzBench INPUT OUTPUT THREADS [PRESET [BLOCK_BYTES]]} compresses
 * INPUT with {@link ParallelXzWriter} and prints one line "blocks zeroBlocks compressedBytes".
 */
public final class XzBench {

    private XzBench() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: XzBench INPUT OUTPUT THREADS [PRESET [BLOCK_BYTES]]");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[2]);
        int preset = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        int block = args.length > 4 ? Integer.parseInt(args[4]) : ParallelXzWriter.DEFAULT_BLOCK_BYTES;
        try (FileBlockDevice in = FileBlockDevice.openReadOnly(Path.of(args[0]));
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])), 1 << 20)) {
            XzWriteSummary s = new ParallelXzWriter(threads, block, preset).write(in, out, null);
            System.out.println(s.blocks() + " " + s.zeroBlocks() + " " + s.compressedBytes());
        }
    }
}
