// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges a build manifest against the image it describes with tools none of us wrote: jq reads the JSON, mtools
 * (boot partition) and debugfs (root partition) read each listed path back, sha256sum hashes it.
 */
public final class ManifestOracle {

    /** One {@code paths} element as jq prints it. */
    public record Listed(String type, String path, String sha256, String mode, long uid, long gid) {
    }

    private static final Pattern MODE = Pattern.compile("Mode:\\s+(\\d+)");
    private static final Pattern OWNER = Pattern.compile("User:\\s+(\\d+)\\s+Group:\\s+(\\d+)");
    private static final Pattern FAST_LINK = Pattern.compile("Fast link dest: \"(.*)\"");

    private ManifestOracle() {
    }

    /** The manifest's {@code paths}, read by jq. */
    public static List<Listed> paths(Path manifest) throws IOException {
        String tsv = new String(Oracles.check("jq", "-r", ".paths[] | [.type, .path, (.sha256 // \"-\"), .mode,"
                + " .uid, .gid] | @tsv", manifest.toString()), StandardCharsets.UTF_8);
        List<Listed> out = new ArrayList<>();
        for (String line : tsv.strip().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t");
            out.add(new Listed(f[0], f[1], f[2], f[3], Long.parseLong(f[4]), Long.parseLong(f[5])));
        }
        return out;
    }

    /**
     * Every listed path of {@code raw} (a decoded disk laid out like the sample) holds what the manifest says:
     * the file's sha256sum (a symlink's: of its target), and on the root partition debugfs's mode and owner.
     * Returns how many paths were checked.
     */
    public static int assertMatchesImage(Path manifest, Path raw, Path scratch) throws IOException {
        List<Listed> listed = paths(manifest);
        for (Listed l : listed) {
            boolean boot = l.path().startsWith("/boot/firmware/");
            if (boot) {
                // FAT keeps no modes or owners: the manifest records what the Pi shows (0755 root:root).
                check(l, "0755".equals(l.mode()) && l.uid() == 0 && l.gid() == 0, "FAT mode/owner");
                if (l.type().equals("file")) {
                    String inner = l.path().substring("/boot/firmware".length());
                    check(l, sha256sum(Oracles.mtype(raw, Samples.BOOT_OFFSET, inner), scratch).equals(l.sha256()),
                            "sha256 (mtype)");
                }
                continue;
            }
            String stat = Oracles.debugfsStat(raw, Samples.ROOT_OFFSET, l.path());
            Matcher mode = MODE.matcher(stat);
            Matcher owner = OWNER.matcher(stat);
            check(l, mode.find() && Integer.parseInt(mode.group(1), 8) % 010000 == Integer.parseInt(l.mode(), 8),
                    "mode (debugfs: " + stat.lines().findFirst().orElse("") + ")");
            check(l, owner.find() && Long.parseLong(owner.group(1)) == l.uid()
                    && Long.parseLong(owner.group(2)) == l.gid(), "owner");
            switch (l.type()) {
                case "file" -> check(l, stat.contains("Type: regular") && sha256sum(
                        Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, l.path()), scratch).equals(l.sha256()),
                        "sha256 (debugfs cat)");
                case "directory" -> check(l, stat.contains("Type: directory") && l.sha256().equals("-"), "type");
                case "symlink" -> {
                    Matcher m = FAST_LINK.matcher(stat);
                    // A slow link's target is its data block, which debugfs cat prints.
                    byte[] target = m.find() ? m.group(1).getBytes(StandardCharsets.UTF_8)
                            : Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, l.path());
                    check(l, stat.contains("Type: symlink") && sha256sum(target, scratch).equals(l.sha256()),
                            "sha256 of the link target");
                }
                default -> throw new AssertionError(l + ": unknown type");
            }
        }
        return listed.size();
    }

    private static void check(Listed l, boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(l.path() + ": " + what + " disagrees with the manifest entry " + l);
        }
    }

    /** sha256sum's answer for {@code bytes}. */
    public static String sha256sum(byte[] bytes, Path scratch) throws IOException {
        Path f = Files.createTempFile(scratch, "sha", ".bin");
        try {
            Files.write(f, bytes);
            return new String(Oracles.check("sha256sum", f.toString()), StandardCharsets.US_ASCII).substring(0, 64);
        } finally {
            Files.delete(f);
        }
    }
}
