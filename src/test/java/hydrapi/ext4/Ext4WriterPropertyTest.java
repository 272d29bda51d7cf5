// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.ImageFullException;
import hydrapi.io.ByteRange;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random edit sequences over every fixture style, a fragmented 1 KiB image and a nearly full one: create, replace,
 * symlink, mkdirs, unlink, rmdir, chmod/chown and bulk inserts (linear directories turning into htrees, leaf
 * splits), names of 1 to 255 bytes with UTF-8, files of 0 bytes to 20 MB. Each sequence runs on its own copy of its
 * base image; after it, e2fsck -fn must be clean, e2fsck -fy must change nothing, and debugfs must read back
 * every touched path (bytes, type, mode, owner, link target, or absence). Seed: -Dhydrapi.seed=N replays a run;
 * -Dhydrapi.sequence=K runs only sequence K of it.
 */
class Ext4WriterPropertyTest {

    /** Sequences per base in one run (520 in all). */
    private static final Map<String, Integer> PLAN = new TreeMap<>(Map.of(
            "bookworm", 80, "trixie", 70, "64bit", 60, "unsigned", 60, "small1k", 80, "1k", 20,
            "fragmented", 70, "nearly-full", 80));
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_.éü日 ";
    private static final Pattern STAT_TYPE = Pattern.compile("Type: (\\S+)\\s+Mode:\\s+(\\d+)");
    private static final Pattern STAT_OWNER = Pattern.compile("User:\\s+(\\d+)\\s+Group:\\s+(\\d+)");

    private static Path work;
    private static final AtomicInteger BIG_FILES = new AtomicInteger();
    private static final Map<String, Path> BASES = new TreeMap<>();

    /** A name of 1 to {@code maxBytes} UTF-8 bytes (never "." or ".."). */
    static String randomName(Random rnd, int maxBytes) {
        int want = 1 + rnd.nextInt(Math.min(255, maxBytes));
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (bytes < want) {
            char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            int n = String.valueOf(c).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > want) {
                c = 'a';
                n = 1;
            }
            sb.append(c);
            bytes += n;
        }
        String s = sb.toString();
        return s.equals(".") || s.equals("..") ? s + "x" : s;
    }

    private static String randomNameMixed(Random rnd) {
        int r = rnd.nextInt(10);
        return randomName(rnd, r < 7 ? 20 : r < 9 ? 100 : 255);
    }

    @BeforeAll
    static void prepareBases() throws IOException {
        // tmpfs when there is one: e2fsck -fy fsyncs the image, which on a disk costs more than the check.
        Path shm = Path.of("/dev/shm");
        work = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "hydrapi-ext4-prop")
                : Files.createTempDirectory("hydrapi-ext4-prop");
        for (String s : List.of("bookworm", "trixie", "64bit", "unsigned", "small1k", "1k")) {
            BASES.put(s, Ext4Fixtures.image(s));
        }
        Instant t = Instant.parse("2026-02-03T04:05:06Z");
        // Fragmented: 600 single free blocks between used ones, so big files need deep extent trees.
        Path frag = work.resolve("fragmented.img");
        Files.copy(Ext4Fixtures.image("small1k"), frag);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(frag));
        Ext4Writer w = Ext4Writer.open(ov);
        w.mkdirs("/frag", 0755, 0, 0, t);
        for (int i = 0; i < 1200; i++) {
            w.writeFile("/frag/f" + i, new byte[1024], 0644, 0, 0, t);
        }
        for (int i = 0; i < 1200; i += 2) {
            w.unlink("/frag/f" + i, t);
        }
        w.flush();
        Ext4WriterTest.writeBack(ov, frag);
        Oracles.assertE2fsckClean(frag, 0);
        BASES.put("fragmented", frag);
        // Nearly full: a filler leaves about 150 blocks, so bigger writes hit ImageFullException (and roll back).
        Path full = work.resolve("nearly-full.img");
        Files.copy(Ext4Fixtures.image("bookworm"), full);
        ov = new OverlayDevice(FileBlockDevice.openReadOnly(full));
        w = Ext4Writer.open(ov);
        Superblock sb = w.volume().superblock();
        w.writeFile("/filler", new byte[(int) ((sb.freeBlocksCount() - 150) * sb.blockSize())], 0600, 0, 0, t);
        w.flush();
        Ext4WriterTest.writeBack(ov, full);
        Oracles.assertE2fsckClean(full, 0);
        BASES.put("nearly-full", full);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var s = Files.walk(work)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void randomSequences_keepE2fsckCleanAndReadBack() throws Exception {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        String only = System.getProperty("hydrapi.sequence");
        System.out.println("Ext4WriterPropertyTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed
                + ", one sequence with -Dhydrapi.sequence=K)");
        List<String> styles = new ArrayList<>();
        PLAN.forEach((style, n) -> styles.addAll(java.util.Collections.nCopies(n, style)));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> done = new ArrayList<>();
        int total = 0;
        for (int k = 0; k < styles.size(); k++) {
            if (only != null && Integer.parseInt(only) != k) {
                continue;
            }
            final int id = k;
            final String style = styles.get(k);
            total++;
            done.add(pool.submit(() -> {
                try {
                    new Sequence(style, new Random(seed * 1_000_003L + id), id).run();
                } catch (Throwable t) {
                    throw new AssertionError("sequence " + id + " (" + style + ") of seed " + seed + " failed: replay"
                            + " with -Dhydrapi.seed=" + seed + " -Dhydrapi.sequence=" + id + ": " + t, t);
                }
                return null;
            }));
        }
        pool.shutdown();
        try {
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw (Error) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("Ext4WriterPropertyTest: " + total + " sequences, " + BIG_FILES.get() + " files of 10+ MB");
        assertTrue(only != null || total >= 500, "at least 500 sequences per run: " + total);
    }

    /** What a touched path must look like afterwards; null means absent. */
    private record Expect(char type, byte[] data, String target, int mode, int uid, int gid) {
    }

    /** One edit sequence on its own copy of a base image. */
    private static final class Sequence {
        private final String style;
        private final Random rnd;
        private final int id;
        private final Map<String, Expect> touched = new TreeMap<>();
        private final List<String> dirs = new ArrayList<>();
        private final List<String> files = new ArrayList<>();
        private final List<String> links = new ArrayList<>();
        private final Map<String, Integer> children = new TreeMap<>();
        private Instant t = Instant.parse("2026-03-04T05:06:07Z");
        private Ext4Writer w;
        private int bs;
        private int bigLeft;

        Sequence(String style, Random rnd, int id) {
            this.style = style;
            this.rnd = rnd;
            this.id = id;
        }

        void run() throws IOException {
            Path base = BASES.get(style);
            OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(base));
            w = Ext4Writer.open(ov);
            bs = w.volume().superblock().blockSize();
            if (id % 2 == 1) {
                // Half the sequences place blocks as the build does over a multi-block .xz base: cells of the
                // device are preferred once written (build.DirtyXzBlocks), so allocation jumps between them.
                long cell = (16L * bs) << rnd.nextInt(6);
                w.preferBlocksIn(() -> {
                    List<ByteRange> dirty = new ArrayList<>();
                    for (long s = 0; s < ov.sizeBytes(); s += cell) {
                        if (ov.touches(s, Math.min(s + cell, ov.sizeBytes()))) {
                            dirty.add(new ByteRange(s, Math.min(s + cell, ov.sizeBytes())));
                        }
                    }
                    return dirty;
                });
            }
            bigLeft = id % 50 == 7 && bs == 4096 && !style.equals("nearly-full") ? 1 : 0;
            scan("/", 0);
            int ops = 3 + rnd.nextInt(8);
            for (int i = 0; i < ops; i++) {
                t = t.plusMillis(1 + rnd.nextInt(100_000));
                try {
                    step(i);
                } catch (ImageFullException e) {
                    assertTrue(style.equals("nearly-full") || style.equals("fragmented") || e.getMessage().contains(
                            " free"), e.getMessage());
                }
            }
            w.flush();
            Path dir = Files.createDirectories(work.resolve("seq-" + id));
            Path img = dir.resolve("image.img");
            try {
                materialise(base, ov, img);
                Oracles.assertE2fsckClean(img, 0);
                readBack(img, dir);
                if (id % 25 == 0) {
                    Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
                }
                fixesNothingInPlace(img);
            } finally {
                try (var s = Files.list(dir)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(dir);
            }
        }

        /** Known entries of the base: directories (with their entry counts), single-link files and symlinks. */
        private void scan(String dir, int depth) throws IOException {
            dirs.add(dir);
            List<Ext4Entry> es = w.volume().list(dir);
            children.put(dir, es.size());
            for (Ext4Entry e : es) {
                String p = (dir.equals("/") ? "" : dir) + "/" + e.name();
                if (e.isDirectory() && depth < 4 && !p.equals("/frag")) {
                    scan(p, depth + 1);
                } else if (e.isDirectory()) {
                    continue;
                } else if (e.isSymlink()) {
                    links.add(p);
                } else if (e.linksCount() == 1 && !p.equals("/filler") && (files.size() < 400 || rnd.nextInt(8) == 0)) {
                    files.add(p);
                }
            }
        }

        private static String parentOf(String p) {
            int i = p.lastIndexOf('/');
            return i == 0 ? "/" : p.substring(0, i);
        }

        private String child(String dir, String name) {
            return (dir.equals("/") ? "" : dir) + "/" + name;
        }

        private boolean exists(String p) {
            return dirs.contains(p) || files.contains(p) || links.contains(p)
                    || (touched.containsKey(p) && touched.get(p) != null);
        }

        private <T> T pick(List<T> l) {
            return l.get(rnd.nextInt(l.size()));
        }

        private byte[] randomData() {
            int r = rnd.nextInt(100);
            int size;
            if (bigLeft > 0) {
                // A few per run (every 50th sequence on a 4 KiB base with room): tens of MB.
                bigLeft--;
                BIG_FILES.incrementAndGet();
                size = 10_000_000 + rnd.nextInt(6_000_000);
            } else if (r < 55) {
                size = rnd.nextInt(bs + 1);
            } else if (r < 85) {
                size = rnd.nextInt(64 * 1024);
            } else if (r < 97) {
                size = rnd.nextInt(700 * 1024);
            } else {
                size = rnd.nextInt(3 << 20);
            }
            byte[] d = new byte[size];
            rnd.nextBytes(d);
            return d;
        }

        private void created(String p) {
            children.merge(parentOf(p), 1, Integer::sum);
        }

        private void step(int i) throws IOException {
            int kind = rnd.nextInt(100);
            int mode = rnd.nextInt(010000);
            int uid = rnd.nextInt(5) == 0 ? rnd.nextInt(100_000) : rnd.nextInt(2000);
            int gid = rnd.nextInt(5) == 0 ? rnd.nextInt(100_000) : rnd.nextInt(2000);
            if (kind < 28) {
                String p = child(pick(dirs), randomNameMixed(rnd));
                if (exists(p)) {
                    return;
                }
                byte[] d = randomData();
                w.writeFile(p, d, mode, uid, gid, t);
                files.add(p);
                created(p);
                touched.put(p, new Expect('f', d, null, mode, uid, gid));
            } else if (kind < 40 && !files.isEmpty()) {
                String p = pick(files);
                byte[] d = randomData();
                w.writeFile(p, d, mode, uid, gid, t);
                touched.put(p, new Expect('f', d, null, mode, uid, gid));
            } else if (kind < 50) {
                String p = rnd.nextInt(3) == 0 && !links.isEmpty() ? pick(links)
                        : child(pick(dirs), randomNameMixed(rnd));
                if (exists(p) && !links.contains(p)) {
                    return;
                }
                StringBuilder tb = new StringBuilder();
                int want = rnd.nextInt(3) == 0 ? 60 + rnd.nextInt(bs - 300) : 1 + rnd.nextInt(59);
                while (tb.toString().getBytes(StandardCharsets.UTF_8).length < want) {
                    tb.append('/').append(randomName(rnd, 30));
                }
                byte[] tbytes = Arrays.copyOf(tb.toString().getBytes(StandardCharsets.UTF_8), want);
                String target = new String(tbytes, StandardCharsets.UTF_8);
                if (target.getBytes(StandardCharsets.UTF_8).length >= bs || target.contains("\0")
                        || target.contains("\uFFFD")) {
                    target = "/" + "t".repeat(want - 1);
                }
                w.symlink(p, target, uid, gid, t);
                if (!links.contains(p)) {
                    links.add(p);
                    created(p);
                }
                touched.put(p, new Expect('l', null, target, 0777, uid, gid));
            } else if (kind < 62 && !(files.isEmpty() && links.isEmpty())) {
                boolean file = links.isEmpty() || !files.isEmpty() && rnd.nextBoolean();
                String p = file ? pick(files) : pick(links);
                w.unlink(p, t);
                (file ? files : links).remove(p);
                children.merge(parentOf(p), -1, Integer::sum);
                touched.put(p, null);
            } else if (kind < 67) {
                List<String> empty = dirs.stream().filter(d -> !d.equals("/") && !d.equals("/lost+found")
                        && children.get(d) == 0).toList();
                if (empty.isEmpty()) {
                    return;
                }
                String p = pick(empty);
                w.unlink(p, t);
                dirs.remove(p);
                children.remove(p);
                children.merge(parentOf(p), -1, Integer::sum);
                touched.put(p, null);
            } else if (kind < 77) {
                String p = child(pick(dirs), randomNameMixed(rnd));
                String q = rnd.nextBoolean() ? p : p + "/" + randomNameMixed(rnd);
                if (exists(p) || exists(q)) {
                    return;
                }
                w.mkdirs(q, mode, uid, gid, t);
                for (String d : q.equals(p) ? List.of(p) : List.of(p, q)) {
                    dirs.add(d);
                    children.put(d, 0);
                    created(d);
                    touched.put(d, new Expect('d', null, null, mode, uid, gid));
                }
            } else if (kind < 90) {
                List<String> all = new ArrayList<>(files);
                all.addAll(links);
                all.addAll(dirs);
                String p = pick(all);
                w.setAttributes(p, mode, uid, gid, t);
                Expect old = touched.get(p);
                if (links.contains(p)) {
                    String target = old != null ? old.target() : w.volume().readLink(p);
                    touched.put(p, new Expect('l', null, target, 0777, uid, gid));
                } else if (dirs.contains(p)) {
                    touched.put(p, new Expect('d', null, null, mode, uid, gid));
                } else {
                    byte[] d = old != null ? old.data() : w.volume().readFile(p);
                    touched.put(p, new Expect('f', d, null, mode, uid, gid));
                }
            } else {
                // Bulk insert of long names: new linear directories pass 2 blocks (→ htree), htree leaves split.
                String dir = pick(dirs);
                int n = 8 + rnd.nextInt(40);
                for (int k = 0; k < n; k++) {
                    String p = child(dir, randomName(rnd, 40 + rnd.nextInt(216)));
                    if (exists(p)) {
                        continue;
                    }
                    byte[] d = new byte[rnd.nextInt(100)];
                    rnd.nextBytes(d);
                    w.writeFile(p, d, 0644, 0, 0, t);
                    files.add(p);
                    created(p);
                    touched.put(p, new Expect('f', d, null, 0644, 0, 0));
                }
            }
        }

        /** A fresh sparse copy of the base with the overlay's changes on top. */
        private static void materialise(Path base, OverlayDevice ov, Path img) throws IOException {
            long size = Files.size(base);
            byte[] chunk = new byte[1 << 16];
            try (RandomAccessFile in = new RandomAccessFile(base.toFile(), "r");
                    RandomAccessFile out = new RandomAccessFile(img.toFile(), "rw")) {
                out.setLength(size);
                for (long off = 0; off < size; off += chunk.length) {
                    int n = (int) Math.min(chunk.length, size - off);
                    in.seek(off);
                    in.readFully(chunk, 0, n);
                    for (int k = 0; k < n; k++) {
                        if (chunk[k] != 0) {
                            out.seek(off);
                            out.write(chunk, 0, n);
                            break;
                        }
                    }
                }
            }
            Ext4WriterTest.writeBack(ov, img);
        }

        /** debugfs (one process) reads back every touched path. */
        private void readBack(Path img, Path dir) throws IOException {
            List<String> cmds = new ArrayList<>();
            Map<String, Path> dumps = new TreeMap<>();
            int k = 0;
            for (Map.Entry<String, Expect> e : touched.entrySet()) {
                String q = "\"" + e.getKey() + "\"";
                cmds.add("stat " + q);
                Expect x = e.getValue();
                if (x != null && (x.type() == 'f' || x.type() == 'l' && x.target().getBytes(StandardCharsets.UTF_8)
                        .length >= 60)) {
                    Path out = dir.resolve("dump" + k++);
                    dumps.put(e.getKey(), out);
                    cmds.add("dump " + q + " " + out);
                }
            }
            if (cmds.isEmpty()) {
                return;
            }
            Map<String, String> res = Ext4VolumeTest.debugfs(img, cmds, dir);
            for (Map.Entry<String, Expect> e : touched.entrySet()) {
                String p = e.getKey();
                String stat = res.getOrDefault("stat \"" + p + "\"", "");
                Expect x = e.getValue();
                if (x == null) {
                    assertTrue(!stat.contains("Inode:"), p + " should be gone:\n" + stat);
                    continue;
                }
                Matcher m = STAT_TYPE.matcher(stat);
                assertTrue(m.find(), p + ":\n" + stat);
                String type = x.type() == 'f' ? "regular" : x.type() == 'd' ? "directory" : "symlink";
                assertEquals(type, m.group(1), p);
                assertEquals(x.mode(), Integer.parseInt(m.group(2), 8), p + " mode");
                Matcher o = STAT_OWNER.matcher(stat);
                assertTrue(o.find(), p);
                assertEquals(x.uid(), Integer.parseInt(o.group(1)), p + " uid");
                assertEquals(x.gid(), Integer.parseInt(o.group(2)), p + " gid");
                if (x.type() == 'f') {
                    byte[] got = Files.readAllBytes(dumps.get(p));
                    assertTrue(Arrays.equals(x.data(), got), p + ": " + got.length + " bytes read back, "
                            + x.data().length + " written");
                } else if (x.type() == 'l' && dumps.containsKey(p)) {
                    assertEquals(x.target(), Files.readString(dumps.get(p), StandardCharsets.UTF_8), p);
                } else if (x.type() == 'l') {
                    assertTrue(stat.contains("Fast link dest: \"" + x.target() + "\""), p + ":\n" + stat);
                }
            }
        }
    }

    /**
     * The sequence's copy is its own: e2fsck -fy runs on it directly, with the criteria of
     * {@link Oracles#assertE2fsckFixesNothing} (which copies the image first; it runs on every 25th sequence).
     */
    private static void fixesNothingInPlace(Path img) throws IOException {
        Oracles.Result r = Oracles.run("e2fsck", "-fy", img.toString());
        if (r.exitCode() != 0 || r.all().contains("MODIFIED") || r.all().contains("Pass 3A")) {
            throw new AssertionError("e2fsck -fy changed the filesystem (exit " + r.exitCode() + "):\n" + r.all());
        }
    }
}
