// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.disk.DiskImage;
import hydrapi.ext4.Ext4Writer;
import hydrapi.fat.FatVolume;
import hydrapi.io.OverlayDevice;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Command-line entry for bench/rebuild-bench.sh, the block-reuse pipeline the build is meant to run (issue 5):
 * {@code RebuildBench BASE.img.xz OUT.img.xz INJECT_DIR BOOT_FILE THREADS}. Opens the base through
 * {@link XzBlockDevice} (no full decode), writes every regular file of INJECT_DIR into /opt/inject of the ext4 root
 * (partition 2) and BOOT_FILE into the FAT boot partition (partition 1), then writes the result with
 * {@link ParallelXzWriter#writeReusing}. Prints "blocks reused zeroBlocks compressedBytes decodedBlocks".
 */
public final class RebuildBench {

    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    private RebuildBench() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: RebuildBench BASE.img.xz OUT.img.xz INJECT_DIR BOOT_FILE THREADS");
            System.exit(2);
        }
        Path base = Path.of(args[0]);
        Path injectDir = Path.of(args[2]);
        Path bootFile = Path.of(args[3]);
        int threads = Integer.parseInt(args[4]);
        try (XzBlockDevice xz = XzBlockDevice.open(base, 4)) {
            OverlayDevice disk = new OverlayDevice(xz);
            DiskImage image = DiskImage.open(disk, base.getFileName().toString());

            OverlayDevice root = new OverlayDevice(image.partition(2));
            Ext4Writer ext4 = Ext4Writer.open(root);
            ext4.mkdirs("/opt/inject", 0755, 0, 0, NOW);
            List<Path> files;
            try (Stream<Path> s = Files.list(injectDir)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                ext4.writeFile("/opt/inject/" + f.getFileName(), Files.readAllBytes(f), 0644, 0, 0, NOW);
            }
            ext4.flush();
            root.writeBack();

            OverlayDevice boot = new OverlayDevice(image.partition(1));
            FatVolume fat = FatVolume.open(boot);
            fat.writeFile("/" + bootFile.getFileName(), Files.readAllBytes(bootFile), NOW);
            fat.flush();
            boot.writeBack();

            XzWriteSummary s;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])), 1 << 20)) {
                s = new ParallelXzWriter(threads, ParallelXzWriter.DEFAULT_BLOCK_BYTES, 6)
                        .writeReusing(disk, base, xz.structure(), disk::touches, out, null);
            }
            System.out.println(s.blocks() + " " + s.reusedBlocks() + " " + s.zeroBlocks() + " "
                    + s.compressedBytes() + " " + xz.decodedBlocks());
        }
    }
}
