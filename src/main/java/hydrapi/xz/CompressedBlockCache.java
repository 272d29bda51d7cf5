// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A persistent, content-addressed store of compressed Blocks: the raw LZMA2 data one encoder made of one Block's
 * uncompressed bytes, found again by the SHA-256 of those bytes and the encoder's identity (issue 14). A build from
 * a raw, .zip or single-block base compresses every Block; a second build with a changed overlay finds all Blocks it
 * did not change here and compresses only the rest. Since the encoder is deterministic and its identity is part of
 * the key, an entry is exactly what compressing would give: a cached and an uncached build are byte-identical.
 *
 * <p>One file per entry, {@code dir/ab/abcd…} (the key's hex), written under a temporary name and renamed, so a
 * crash or a concurrent build never leaves a half entry under a key. An entry is checked on every use: magic,
 * version, the key and sizes it records, and the SHA-256 of its data; one that fails is deleted and counts as a
 * miss. Bounded: {@link #trim} deletes the least recently used entries (by modification time, touched on each hit)
 * until the store is under its size.
 */
public final class CompressedBlockCache {

    /** Entry header: magic, version, uncompressed size, data length, the key, the data's SHA-256. */
    private static final byte[] MAGIC = {'H', 'P', 'X', 'Z', 'B', 'L', 'K', '\n'};
    private static final int FORMAT = 1;
    private static final int HEADER_BYTES = 8 + 4 + 8 + 4 + 32 + 32;

    private final Path dir;
    private final long maxBytes;
    private final String namespace;
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger misses = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();

    /**
     * A store in {@code dir} (created on first write) of at most {@code maxBytes} after {@link #trim}. Its keys
     * include {@code namespace}: the version of the program that writes it, so a new release, whatever it changed,
     * starts afresh.
     */
    public CompressedBlockCache(Path dir, long maxBytes, String namespace) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.namespace = namespace;
    }

    public Path directory() {
        return dir;
    }

    /**
     * The key of {@code length} uncompressed bytes compressed by the encoder {@code encoderId} names (every setting
     * and version that shapes its output): SHA-256 of the namespace, that identity, the length and the bytes'
     * SHA-256.
     */
    byte[] key(String encoderId, byte[] data, int length) {
        MessageDigest content = sha256();
        content.update(data, 0, length);
        return keyOfDigest(encoderId, content.digest(), length);
    }

    /** {@link #key(String, byte[], int)} from the bytes' SHA-256, computed by the caller as it read them. */
    byte[] keyOfDigest(String encoderId, byte[] contentSha256, long length) {
        MessageDigest k = sha256();
        k.update((namespace + "\n" + encoderId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        k.update((byte) 0);
        byte[] len = new byte[8];
        LittleEndian.put64(len, 0, length);
        k.update(len);
        k.update(contentSha256);
        return k.digest();
    }

    private Path path(byte[] key) {
        String hex = HexFormat.of().formatHex(key);
        return dir.resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** The compressed data stored under {@code key} for {@code uncompressedSize} bytes, checked, or null. */
    byte[] get(byte[] key, long uncompressedSize) {
        Path p = path(key);
        byte[] entry;
        try {
            entry = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            misses.incrementAndGet();
            return null;
        } catch (IOException e) {
            misses.incrementAndGet();
            return null;
        }
        byte[] data = check(entry, key, uncompressedSize);
        if (data == null) {
            rejected.incrementAndGet();
            misses.incrementAndGet();
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a later put replaces it
            }
            return null;
        }
        hits.incrementAndGet();
        try {
            Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // recency is only a hint for trim
        }
        return data;
    }

    private static byte[] check(byte[] e, byte[] key, long uncompressedSize) {
        if (e.length < HEADER_BYTES || !Arrays.equals(e, 0, 8, MAGIC, 0, 8) || LittleEndian.s32(e, 8) != FORMAT
                || LittleEndian.u64(e, 12) != uncompressedSize || LittleEndian.s32(e, 20) != e.length - HEADER_BYTES
                || !Arrays.equals(e, 24, 56, key, 0, 32)) {
            return null;
        }
        MessageDigest md = sha256();
        md.update(e, HEADER_BYTES, e.length - HEADER_BYTES);
        if (!Arrays.equals(md.digest(), 0, 32, e, 56, 88)) {
            return null;
        }
        return Arrays.copyOfRange(e, HEADER_BYTES, e.length);
    }

    /** Stores {@code data[0, length)} under {@code key}; a failure to write only loses the entry. */
    void put(byte[] key, long uncompressedSize, byte[] data, int length) {
        byte[] e = new byte[HEADER_BYTES + length];
        System.arraycopy(MAGIC, 0, e, 0, 8);
        LittleEndian.put32(e, 8, FORMAT);
        LittleEndian.put64(e, 12, uncompressedSize);
        LittleEndian.put32(e, 20, length);
        System.arraycopy(key, 0, e, 24, 32);
        MessageDigest md = sha256();
        md.update(data, 0, length);
        System.arraycopy(md.digest(), 0, e, 56, 32);
        System.arraycopy(data, 0, e, HEADER_BYTES, length);
        Path p = path(key);
        Path tmp = null;
        try {
            Files.createDirectories(p.getParent());
            tmp = Files.createTempFile(p.getParent(), ".tmp-", ".part");
            Files.write(tmp, e);
            try {
                Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException ignored) {
            // a full disk or a read-only cache costs speed, never the build
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * Deletes least recently used entries (and leftover temporary files) until the store holds at most its size;
     * returns the bytes it holds then.
     */
    public long trim() throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        record Item(Path path, long size, long mtime) {
        }
        List<Item> items = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> subs = Files.newDirectoryStream(dir)) {
            for (Path sub : subs) {
                if (!Files.isDirectory(sub)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(sub)) {
                    for (Path f : files) {
                        try {
                            var a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
                            if (f.getFileName().toString().startsWith(".tmp-")
                                    && a.lastModifiedTime().toMillis() < System.currentTimeMillis() - 86_400_000L) {
                                Files.deleteIfExists(f);
                                continue;
                            }
                            items.add(new Item(f, a.size(), a.lastModifiedTime().toMillis()));
                            total += a.size();
                        } catch (NoSuchFileException gone) {
                            // another build trimmed it
                        }
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (total <= maxBytes) {
            return total;
        }
        items.sort((a, b) -> a.mtime() != b.mtime() ? Long.compare(a.mtime(), b.mtime())
                : a.path().compareTo(b.path()));
        for (Item it : items) {
            if (total <= maxBytes) {
                break;
            }
            Files.deleteIfExists(it.path());
            total -= it.size();
        }
        return total;
    }

    /** Entries found (and checked), not found, and found but failing their check, since this object was made. */
    public int hits() {
        return hits.get();
    }

    public int misses() {
        return misses.get();
    }

    public int rejected() {
        return rejected.get();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
