// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import hydrapi.ImageFullException;
import hydrapi.io.FileBlockDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random create / replace / mkdir sequences up to a nearly full partition, judged by fsck.fat -n and mtype; then
 * writes until ImageFullException, which must leave the device bytes as they were.
 */
class FatPropertyTest {

    private static final int SEQUENCES = Integer.getInteger("hydrapi.fat.sequences", 10);
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.+,;=()!#$%&'@^{}é";

    @TempDir
    Path tmp;

    /** Model of what the volume holds, keyed by the lower-cased path (FAT compares names case-insensitively). */
    private final TreeMap<String, byte[]> files = new TreeMap<>();
    private final TreeMap<String, String> paths = new TreeMap<>();
    private final List<String> dirs = new ArrayList<>();

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void randomSequences_fsckCleanAndMtoolsReadBack(String fixture) throws Exception {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("FatPropertyTest " + fixture + " seed=" + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random r = new Random(seed);
        for (int seq = 0; seq < SEQUENCES; seq++) {
            try {
                runSequence(fixture, r, seq);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("seed " + seed + " sequence " + seq + ": " + e.getMessage(), e);
            }
        }
    }

    private void runSequence(String fixture, Random r, int seq) throws Exception {
        files.clear();
        paths.clear();
        dirs.clear();
        Path img = FatFixtures.copy(fixture, Files.createDirectories(tmp.resolve("s" + seq)));
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            load(v, "/");
            int ops = 20 + r.nextInt(30);
            for (int i = 0; i < ops; i++) {
                int kind = r.nextInt(10);
                long free = v.freeBytes();
                if (kind < 2) {
                    String parent = dirs.get(r.nextInt(dirs.size()));
                    String p = child(parent, freshName(r, parent)) + (r.nextBoolean() ? "/" + freshName(r, "-") : "");
                    v.mkdirs(p, time(r));
                    String walked = "";
                    for (String part : p.substring(1).split("/")) {
                        walked += "/" + part;
                        if (!dirs.contains(key(walked))) {
                            dirs.add(key(walked));
                            paths.put(key(walked), walked);
                        }
                    }
                } else if (kind < 5 && !files.isEmpty()) {
                    String k = new ArrayList<>(files.keySet()).get(r.nextInt(files.size()));
                    byte[] content = content(r, free + files.get(k).length - 8 * v.clusterBytes());
                    v.writeFile(paths.get(k), content, time(r));
                    files.put(k, content);
                } else {
                    // FAT16's fixed root holds 512 slots: keep most new files in subdirectories.
                    String parent = dirs.get(r.nextInt(dirs.size()));
                    if (parent.equals("/") && fixture.equals("fat16.img") && r.nextInt(4) != 0) {
                        parent = "/overlays";
                    }
                    String p = child(parent, freshName(r, parent));
                    byte[] content = content(r, free - 8 * v.clusterBytes());
                    v.writeFile(p, content, time(r));
                    files.put(key(p), content);
                    paths.put(key(p), p);
                }
            }
            // Nearly full: leave 0..3 clusters, minus what a new entry's directory growth may take.
            long rest = v.freeBytes() - (2 + r.nextInt(4)) * v.clusterBytes();
            if (rest > 0) {
                String p = child("/", freshName(r, "/"));
                byte[] content = new byte[(int) rest];
                r.nextBytes(content);
                v.writeFile(p, content, time(r));
                files.put(key(p), content);
                paths.put(key(p), p);
            }
            v.flush();
            assertEquals(List.of(), v.check());
            verifyOurs(v);
            Oracles.assertFsckFatClean(img, 0, Files.size(img));
            // mtype reads every file once, below, after the fill: a superset of this point's files.
            fillUntilFull(v, img, r);
        }
        Oracles.assertFsckFatClean(img, 0, Files.size(img));
        verifyMtools(img, null);
    }

    private void fillUntilFull(FatVolume v, Path img, Random r) throws Exception {
        long cb = v.clusterBytes();
        // Fill by halves while room is left; these calls succeed.
        while (v.freeBytes() > 8 * cb) {
            String p = child(dirs.get(r.nextInt(dirs.size())), freshName(r, "/"));
            write(v, p, v.freeBytes() / 2, r);
        }
        // A new file one byte to three clusters too large, then a replace too large by one byte.
        String p = child("/", freshName(r, "/"));
        expectFull(v, img, () -> write(v, p, v.freeBytes() + 1 + r.nextInt((int) (3 * cb)), r));
        if (!files.isEmpty()) {
            String k = new ArrayList<>(files.keySet()).get(r.nextInt(files.size()));
            long old = (files.get(k).length + cb - 1) / cb * cb;
            expectFull(v, img, () -> write(v, paths.get(k), v.freeBytes() + old + 1, r));
        }
        // Exactly the free bytes: fits unless the directory must grow for the new entry.
        String exact = child("/overlays", freshName(r, "/overlays"));
        try {
            write(v, exact, v.freeBytes(), r);
        } catch (ImageFullException e) {
            // checked below through the mkdirs attempt and the final fsck
        }
        if (v.freeBytes() == 0) {
            expectFull(v, img, () -> v.mkdirs(child("/", freshName(r, "/")) + "/sub", time(r)));
        }
        v.flush();
        assertEquals(List.of(), v.check());
    }

    private interface Call {
        void run() throws IOException;
    }

    private static void expectFull(FatVolume v, Path img, Call call) throws Exception {
        long free = v.freeBytes();
        byte[] before = sha256(img);
        try {
            call.run();
            fail("expected ImageFullException with " + free + " bytes free");
        } catch (ImageFullException e) {
            assertTrue(e.getMessage().contains(" bytes free") && !e.getMessage().contains("\n"), e.getMessage());
        }
        assertArrayEquals(before, sha256(img), "the failing call changed the device");
        assertEquals(free, v.freeBytes(), "the failing call changed the FAT");
    }

    private void write(FatVolume v, String p, long size, Random r) throws IOException {
        byte[] content = new byte[(int) size];
        r.nextBytes(content);
        v.writeFile(p, content, time(r));
        files.put(key(p), content);
        paths.put(key(p), p);
    }

    private void load(FatVolume v, String dir) throws IOException {
        dirs.add(key(dir));
        paths.put(key(dir), dir);
        for (FatEntry e : v.list(dir)) {
            String p = child(dir, e.name());
            if (e.directory()) {
                load(v, p);
            } else {
                files.put(key(p), v.readFile(p));
                paths.put(key(p), p);
            }
        }
    }

    private void verifyOurs(FatVolume v) throws IOException {
        for (var e : files.entrySet()) {
            assertArrayEquals(e.getValue(), v.readFile(paths.get(e.getKey())), paths.get(e.getKey()));
            FatEntry st = v.stat(paths.get(e.getKey())).orElseThrow();
            assertEquals(name(paths.get(e.getKey())), st.name());
        }
    }

    /** Every file through mtype; names with non-ASCII characters by their short-name path (mtools runs in C locale). */
    private void verifyMtools(Path img, FatVolume v) throws IOException {
        FatVolume reader = v;
        try (FileBlockDevice dev = v == null ? FileBlockDevice.openReadOnly(img) : null) {
            if (reader == null) {
                reader = FatVolume.open(dev);
            }
            for (var e : files.entrySet()) {
                String p = paths.get(e.getKey());
                String mp = p.chars().allMatch(c -> c < 128) ? p : shortPath(reader, p);
                assertArrayEquals(e.getValue(), Oracles.mtype(img, 0, mp), p);
            }
        }
    }

    private static String shortPath(FatVolume v, String p) throws IOException {
        StringBuilder sb = new StringBuilder();
        String walked = "";
        for (String part : p.substring(1).split("/")) {
            walked += "/" + part;
            sb.append('/').append(v.stat(walked).orElseThrow().shortName());
        }
        return sb.toString();
    }

    private String freshName(Random r, String parent) {
        while (true) {
            String n = switch (r.nextInt(5)) {
                case 0 -> randomFrom(r, "ABCDEFGHIJ0123456789", 1 + r.nextInt(8)) + "." + randomFrom(r, "TXTBINDAT", 1 + r.nextInt(3));
                case 1 -> randomFrom(r, "abcdefghij0123", 1 + r.nextInt(8)) + (r.nextBoolean() ? ".txt" : "");
                case 2 -> "longfilename" + r.nextInt(30) + ".txt";
                case 3 -> randomFrom(r, NAME_CHARS, 1 + r.nextInt(r.nextInt(8) == 0 ? 200 : 40));
                default -> randomFrom(r, "aBcDeF", 1 + r.nextInt(6)) + ".Md";
            };
            n = n.strip();
            while (n.endsWith(".")) {
                n = n.substring(0, n.length() - 1).strip();
            }
            String k = key(child(parent, n));
            if (!n.isEmpty() && !n.equals(".") && !files.containsKey(k) && !dirs.contains(k)) {
                return n;
            }
        }
    }

    private static String randomFrom(Random r, String chars, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString();
    }

    private static byte[] content(Random r, long maxBytes) {
        int size = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1, 2 -> r.nextInt(4000);
            case 3, 4 -> r.nextInt(100_000);
            default -> r.nextInt(2_000_000);
        };
        byte[] b = new byte[(int) Math.max(0, Math.min(size, maxBytes))];
        r.nextBytes(b);
        return b;
    }

    private static Instant time(Random r) {
        return Instant.ofEpochSecond(r.nextInt(2_000_000_000)).plusMillis(r.nextInt(1000));
    }

    private static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String key(String path) {
        return path.toLowerCase(Locale.ROOT);
    }

    private static byte[] sha256(Path img) throws IOException, NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(img));
    }
}
