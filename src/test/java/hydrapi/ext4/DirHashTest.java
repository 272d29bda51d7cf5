// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden vectors from {@code debugfs dx_hash}, computed at test time: e2fsprogs is the oracle. */
class DirHashTest {

    private static final String[] ALGS = {"legacy", "half_md4", "tea", "HASHALG_3", "HASHALG_4", "HASHALG_5"};
    private static final Pattern LINE = Pattern.compile("Hash of (.*) is 0x([0-9a-f]+) \\(minor 0x[0-9a-f]+\\)");

    static List<String> names() {
        List<String> n = new ArrayList<>(List.of("a", "passwd", "systemd", "café", "größe", "ñandú", "日本語",
                "exactly-32-bytes-long-name-abcde", "exactly-16-bytes", "x".repeat(255), "é".repeat(40),
                "entry-001.conf", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s"));
        for (int i = 1; i <= 40; i++) {
            n.add("n" + "é€".repeat(i % 7) + i + "z".repeat(i));
        }
        return n;
    }

    @Test
    void hash_matchesDebugfsForAllVersionsAndSeeds(@TempDir Path tmp) throws IOException {
        String seedUuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
        for (String seedArg : new String[] {null, seedUuid}) {
            int[] seed = seedArg == null ? new int[4] : seedWords(UUID.fromString(seedArg));
            for (int version = 0; version < ALGS.length; version++) {
                StringBuilder cmds = new StringBuilder();
                for (String name : names()) {
                    cmds.append("dx_hash ").append(seedArg == null ? "" : "-s " + seedArg + " ").append("-h ")
                            .append(ALGS[version]).append(" ").append(name).append('\n');
                }
                Path f = tmp.resolve("cmds");
                Files.writeString(f, cmds, StandardCharsets.UTF_8);
                String out = new String(Oracles.check("debugfs", "-f", f.toString()), StandardCharsets.UTF_8);
                Matcher m = LINE.matcher(out);
                int checked = 0;
                while (m.find()) {
                    byte[] name = m.group(1).getBytes(StandardCharsets.UTF_8);
                    int expected = (int) Long.parseLong(m.group(2), 16);
                    assertEquals(expected, DirHash.hash(version, seed, name),
                            ALGS[version] + " seed " + seedArg + " name " + m.group(1));
                    checked++;
                }
                assertEquals(names().size(), checked, "debugfs answered every name");
            }
        }
    }

    @Test
    void hash_signedAndUnsignedDifferOnHighBytes() {
        byte[] name = "größe".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(DirHash.hash(DirHash.HALF_MD4, null, name), DirHash.hash(DirHash.HALF_MD4_UNSIGNED, null, name));
        byte[] ascii = "passwd".getBytes(StandardCharsets.UTF_8);
        assertEquals(DirHash.hash(DirHash.TEA, null, ascii), DirHash.hash(DirHash.TEA_UNSIGNED, null, ascii));
    }

    /** s_hash_seed as the superblock stores it: the UUID's 16 bytes as four little-endian words. */
    static int[] seedWords(UUID u) {
        ByteBuffer bb = ByteBuffer.allocate(16);
        bb.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        bb.flip().order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt()};
    }
}
