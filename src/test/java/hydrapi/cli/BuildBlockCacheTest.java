// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compressed-block cache never changes an output byte: a build that fills it, one that reads it, one with a
 * changed overlay that reads part of it, and the same with {@code --no-cache} or with every entry damaged, all
 * compared by cmp. From a raw base, the case the cache is for (nothing to copy from the base).
 */
class BuildBlockCacheTest {

    @TempDir
    Path tmp;

    private Cli.Run build(Path base, Path cacheHome, Path overlay, String out, String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_DATE_EPOCH", "1700000000");
        env.put("XDG_CACHE_HOME", cacheHome.toString());
        List<String> args = new ArrayList<>(List.of("build", "--base", base.toString(), "--out",
                tmp.resolve(out).toString(), "--overlay", overlay.toString(), "--xz-block-size", "1", "--json",
                "--threads", "2"));
        args.addAll(List.of(extra));
        Cli.Run r = Cli.run(env, args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.stderr());
        return r;
    }

    private static int field(Cli.Run r, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Integer.parseInt(m.group(1));
    }

    private void assertSame(String a, String b) throws IOException {
        Oracles.Result cmp = Oracles.run("cmp", tmp.resolve(a).toString(), tmp.resolve(b).toString());
        assertEquals(0, cmp.exitCode(), a + " and " + b + " differ: " + cmp.all());
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void build_cachedAndUncached_giveByteIdenticalImages() throws IOException {
        Path base = Samples.sampleRaw(tmp);
        Path overlay = tmp.resolve("overlay");
        Files.createDirectories(overlay.resolve("etc/hydra"));
        Files.writeString(overlay.resolve("etc/hydra/a.conf"), "a = 1\n");
        byte[] big = new byte[3 << 20];
        new java.util.Random(5).nextBytes(big);
        Files.write(overlay.resolve("etc/hydra/big.bin"), big);
        Path cache = tmp.resolve("cache");

        Cli.Run first = build(base, cache, overlay, "first.img.xz");
        int blocks = field(first, "xzBlocks");
        int nonZero = blocks - field(first, "xzZeroBlocks");
        assertEquals(0, field(first, "xzCachedBlocks"));
        assertTrue(nonZero >= 8, "enough blocks to tell a partial hit: " + nonZero + " of " + blocks);
        assertEquals(nonZero, entries(cache.resolve("hydrapi/xz-blocks")).size(), "one entry a compressed block");

        Cli.Run again = build(base, cache, overlay, "again.img.xz");
        assertEquals(nonZero, field(again, "xzCachedBlocks"), "the same build takes every block from the cache");
        assertSame("first.img.xz", "again.img.xz");

        Files.writeString(overlay.resolve("etc/hydra/a.conf"), "a = 2\n");
        Cli.Run changed = build(base, cache, overlay, "changed.img.xz");
        int hits = field(changed, "xzCachedBlocks");
        assertTrue(hits > nonZero / 2 && hits < nonZero, "most blocks unchanged: " + hits + " of " + nonZero);
        Path empty = tmp.resolve("no-cache-home");
        build(base, empty, overlay, "uncached.img.xz", "--no-cache");
        assertSame("changed.img.xz", "uncached.img.xz");
        assertTrue(!Files.exists(empty.resolve("hydrapi/xz-blocks")), "--no-cache writes no cache");

        for (Path e : entries(cache.resolve("hydrapi/xz-blocks"))) {
            byte[] b = Files.readAllBytes(e);
            b[b.length / 2] ^= 0x10;
            Files.write(e, b);
        }
        Cli.Run damaged = build(base, cache, overlay, "damaged.img.xz");
        assertEquals(0, field(damaged, "xzCachedBlocks"), "no damaged entry is used");
        assertSame("changed.img.xz", "damaged.img.xz");
        Oracles.assertXzTest(tmp.resolve("damaged.img.xz"));
    }
}
