// SPDX-License-Identifier: Apache-2.0
package hydrapi.image;

import hydrapi.CorruptImageException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.BlockDevice;
import hydrapi.io.CachedBlockDevice;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.ProgressListener;
import hydrapi.io.TemporaryFiles;
import hydrapi.xz.XzBlockDevice;
import hydrapi.xz.XzBlockInfo;
import hydrapi.xz.XzDecoder;
import hydrapi.xz.XzFile;
import hydrapi.xz.XzStreamInfo;
import hydrapi.xz.XzVerifier;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An input image opened as a read-only device, whatever its container: a raw image is used in place; a multi-block
 * .xz (pi-gen's `xz -T0` output) is read block by block on demand, without a full copy; any other .xz (one huge block,
 * concatenated streams) or a .zip with one image entry is first decoded to a sparse scratch file that is deleted on
 * close, or by {@link TemporaryFiles}' shutdown hook when the run is stopped. The format is recognised by magic
 * bytes, never by the file name.
 */
public final class BaseImage implements AutoCloseable {

    /** Container format of the input file. */
    public enum Format { RAW, XZ, ZIP }

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final Path source;
    private final Format format;
    private final BlockDevice device;
    private final List<XzStreamInfo> xzBlocks;
    private final List<Path> scratch;

    private BaseImage(Path source, Format format, BlockDevice device, List<XzStreamInfo> xzBlocks,
                      List<Path> scratch) {
        this.source = source;
        this.format = format;
        this.device = device;
        this.xzBlocks = xzBlocks;
        this.scratch = scratch;
    }

    /**
     * How many decoded xz blocks random access keeps in memory (24 MiB each for pi-gen's images); every block decoded
     * is also kept in a scratch file, so none is decoded twice (XzBlockDevice).
     */
    private static final int XZ_CACHE_BLOCKS = 1;
    /** The cache of small (metadata) reads above the decoded base (issue 14). */
    static final long METADATA_CACHE_BYTES = 16L << 20;

    /**
     * Opens {@code file}; scratch files go to {@code scratchDir}. A block-wise read .xz is checked first, since
     * blocks the build does not touch are copied to the output without being decoded: by decoding every block on
     * {@code threads} threads, unless {@code checked} says the caller has already vouched for the file's bytes
     * (the build does, with its {@code .sha256} or signature, in the same read that hashes it for the manifest:
     * trust.BaseImageCheck). {@code wholeWalk} asks for the full sparse
     * decode even of a multi-block .xz: a reader that visits all metadata of a large image (verify) would make a
     * small block cache decode the same blocks over and over.
     */
    public static BaseImage open(Path file, Path scratchDir, ProgressListener progress, int threads,
                                 boolean checked, boolean wholeWalk) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString());
            }
            throw new InvalidInputException(file + ": not a regular file; give a .img, .img.xz or .zip");
        }
        List<Path> scratch = new ArrayList<>();
        // Decoded copies a killed run left here (they can be as large as the disk).
        TemporaryFiles.removeStale(scratchDir, "hydrapi-base-", ".img");
        TemporaryFiles.removeStale(scratchDir, "hydrapi-zip-", ".img");
        try {
            Format format = sniff(file);
            if (format == Format.XZ) {
                List<XzStreamInfo> structure = XzFile.readStructure(file);
                if (!wholeWalk && XzBlockDevice.isRandomAccess(structure)) {
                    if (!checked) {
                        checkXz(file, threads, progress);
                    }
                    BlockDevice dev = new CachedBlockDevice(XzBlockDevice.open(file, XZ_CACHE_BLOCKS, scratchDir),
                            METADATA_CACHE_BYTES);
                    return new BaseImage(file, format, dev, structure, scratch);
                }
            }
            Path raw = switch (format) {
                case RAW -> file;
                case XZ -> decodeXz(file, scratchDir, scratch, progress);
                case ZIP -> unzip(file, scratchDir, scratch, progress);
            };
            return new BaseImage(file, format, FileBlockDevice.openReadOnly(raw), null, scratch);
        } catch (IOException | RuntimeException e) {
            deleteAll(scratch);
            throw e;
        }
    }

    private static void checkXz(Path file, int threads, ProgressListener progress) throws IOException {
        XzVerifier.verify(file, threads, progress.phase("check " + file.getFileName(), 0));
    }

    /** The container format by magic bytes; gzip, zstd, bzip2 and 7z are refused by name. */
    public static Format sniff(Path file) throws IOException {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 6 && XzFile.hasXzMagic(head)) {
            return Format.XZ;
        }
        if (n >= 4 && head[0] == ZIP_MAGIC[0] && head[1] == ZIP_MAGIC[1] && head[2] == ZIP_MAGIC[2]
                && head[3] == ZIP_MAGIC[3]) {
            return Format.ZIP;
        }
        String other = otherCompression(head, n);
        if (other != null) {
            throw new UnsupportedImageException(file + ": " + other + " compressed input is not supported;"
                    + " decompress it, or give a raw .img, an .img.xz or a .zip");
        }
        return Format.RAW;
    }

    private static String otherCompression(byte[] h, int n) {
        if (n >= 2 && (h[0] & 0xFF) == 0x1F && (h[1] & 0xFF) == 0x8B) {
            return "gzip";
        }
        if (n >= 4 && (h[0] & 0xFF) == 0x28 && (h[1] & 0xFF) == 0xB5 && (h[2] & 0xFF) == 0x2F
                && (h[3] & 0xFF) == 0xFD) {
            return "zstd";
        }
        if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
            return "bzip2";
        }
        if (n >= 6 && h[0] == '7' && h[1] == 'z' && (h[2] & 0xFF) == 0xBC && (h[3] & 0xFF) == 0xAF) {
            return "7z";
        }
        return null;
    }

    private static Path decodeXz(Path file, Path dir, List<Path> scratch, ProgressListener progress)
            throws IOException {
        // The indexes give the decoded size up front (and refuse a truncated file before any decoding).
        long total = 0;
        for (XzStreamInfo s : XzFile.readStructure(file)) {
            for (XzBlockInfo b : s.blocks()) {
                total += b.uncompressedSize();
            }
        }
        Path out = TemporaryFiles.create(dir, "hydrapi-base-", ".img", false);
        scratch.add(out);
        XzDecoder.decodeToSparseFile(file, out, progress.phase("decode " + file.getFileName(), total));
        return out;
    }

    private static Path unzip(Path file, Path dir, List<Path> scratch, ProgressListener progress)
            throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            List<ZipArchiveEntry> images = new ArrayList<>();
            for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
                // Directory entries and macOS resource forks are not images.
                if (!e.isDirectory() && !e.getName().startsWith("__MACOSX/")) {
                    images.add(e);
                }
            }
            if (images.size() != 1) {
                List<String> names = images.stream().map(ZipArchiveEntry::getName).limit(5).toList();
                throw new InvalidInputException(file + ": a .zip base must hold exactly one image file, this one holds "
                        + images.size() + (names.isEmpty() ? "" : " " + names));
            }
            ZipArchiveEntry entry = images.get(0);
            if (!zip.canReadEntryData(entry)) {
                throw new UnsupportedImageException(file + ": zip entry " + entry.getName()
                        + " uses a compression method or encryption that cannot be read; re-zip it with deflate");
            }
            Path out = TemporaryFiles.create(dir, "hydrapi-zip-", ".img", false);
            scratch.add(out);
            try (InputStream in = zip.getInputStream(entry)) {
                SparseCopy.copy(in, out, progress.phase("unzip " + entry.getName(), entry.getSize()));
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new CorruptImageException(file + ": zip entry " + entry.getName() + " is damaged: "
                        + e.getMessage());
            }
            // An .img.xz inside a .zip is decoded as well.
            if (sniff(out) == Format.XZ) {
                return decodeXz(out, dir, scratch, progress);
            }
            return out;
        } catch (java.util.zip.ZipException e) {
            throw new CorruptImageException(file + ": not a readable zip archive: " + e.getMessage());
        }
    }

    public Path source() {
        return source;
    }

    public Format format() {
        return format;
    }

    /** The raw disk bytes, read-only. */
    public BlockDevice device() {
        return device;
    }

    /** The streams and blocks of a block-wise read .xz base, whose untouched blocks can be copied; else null. */
    public List<XzStreamInfo> xzBlocks() {
        return xzBlocks;
    }

    @Override
    public void close() throws IOException {
        try {
            device.close();
        } finally {
            deleteAll(scratch);
        }
    }

    private static void deleteAll(List<Path> files) {
        for (Path p : files) {
            TemporaryFiles.delete(p);
        }
    }
}
