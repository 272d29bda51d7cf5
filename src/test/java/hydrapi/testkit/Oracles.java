// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Tools nobody here wrote, used as judges of what our code writes: e2fsck, debugfs, fsck.fat, mtools, xz,
 * sha256sum. A missing tool fails the test loudly (never a skip): .ci/run installs them all.
 */
public final class Oracles {

    private Oracles() {
    }

    /** Output of one finished command. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String all() {
            return out() + stderr;
        }
    }

    public static Result run(List<String> command) throws IOException {
        return run(command, null, Map.of());
    }

    public static Result run(String... command) throws IOException {
        return run(Arrays.asList(command));
    }

    public static Result run(List<String> command, Path dir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("TZ", "UTC");
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("oracle tool missing: " + command.get(0)
                    + " (install it; .ci/run does): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errPump = new Thread(() -> {
            try (InputStream in = p.getErrorStream()) {
                in.transferTo(err);
            } catch (IOException ignored) {
                // the process is gone; what was read is kept
            }
        });
        errPump.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            errPump.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    /** Runs and asserts exit code 0, returning stdout. */
    public static byte[] check(String... command) throws IOException {
        Result r = run(command);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exitCode() + ":\n" + r.all());
        }
        return r.stdout();
    }

    // ---- ext4 ------------------------------------------------------------------------------------------

    private static final Pattern E2FSCK_OK_LINE = Pattern.compile(
            "e2fsck [0-9.]+ \\(.*\\)|Pass [1-5][A-Z]?: .*|\\S+: \\d+/\\d+ files \\(.*\\), \\d+/\\d+ blocks|");

    /**
     * {@code e2fsck -fn} must exit 0 AND print nothing but its version line, the pass lines and the summary:
     * its exit code alone hides checksum and free-count errors (ext4-and-fat.md §16.1).
     */
    public static void assertE2fsckClean(Path image, long offsetBytes) throws IOException {
        String dev = offsetBytes == 0 ? image.toString() : image + "?offset=" + offsetBytes;
        Result r = run("e2fsck", "-fn", dev);
        List<String> bad = new ArrayList<>();
        for (String line : r.all().split("\n")) {
            if (!E2FSCK_OK_LINE.matcher(line).matches()) {
                bad.add(line);
            }
        }
        if (r.exitCode() != 0 || !bad.isEmpty()) {
            throw new AssertionError("e2fsck -fn " + dev + " exited " + r.exitCode() + ", unexpected lines "
                    + bad + "\n" + r.all());
        }
    }

    /** {@code e2fsck -fy} on a copy must change nothing (catches de-indexed directories, Pass 3A). */
    public static void assertE2fsckFixesNothing(Path image, long offsetBytes, long sizeBytes) throws IOException {
        Path copy = Files.createTempFile("e2fsck-fy", ".img");
        try {
            extract(image, offsetBytes, sizeBytes, copy);
            Result r = run("e2fsck", "-fy", copy.toString());
            if (r.exitCode() != 0 || r.all().contains("MODIFIED") || r.all().contains("Pass 3A")) {
                throw new AssertionError("e2fsck -fy changed the filesystem (exit " + r.exitCode() + "):\n" + r.all());
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** {@code debugfs -R 'cat PATH'}: the file's bytes as e2fsprogs reads them. */
    public static byte[] debugfsCat(Path image, long offsetBytes, String path) throws IOException {
        String dev = offsetBytes == 0 ? image.toString() : image + "?offset=" + offsetBytes;
        Result r = run("debugfs", "-R", "cat \"" + path + "\"", dev);
        if (r.exitCode() != 0 || r.stderr().contains("File not found")) {
            throw new AssertionError("debugfs cat " + path + ": " + r.stderr());
        }
        return r.stdout();
    }

    /**
     * {@code diff -rq} of two ext4 filesystems' trees, each copied out with {@code debugfs rdump}: its lines, empty
     * when every file's bytes agree.
     */
    public static List<String> ext4TreeDiff(Path imageA, Path imageB, long offsetBytes, Path scratch)
            throws IOException {
        Path[] dirs = new Path[2];
        Path[] images = {imageA, imageB};
        for (int i = 0; i < 2; i++) {
            dirs[i] = Files.createDirectories(scratch.resolve("rdump-" + i + "-" + System.nanoTime()));
            String dev = offsetBytes == 0 ? images[i].toString() : images[i] + "?offset=" + offsetBytes;
            Result r = run("debugfs", "-R", "rdump / \"" + dirs[i] + "\"", dev);
            if (r.exitCode() != 0 || r.stderr().contains("rdump:")) {
                throw new AssertionError("debugfs rdump failed: " + r.stderr());
            }
        }
        Result d = run("diff", "-rq", "--no-dereference", dirs[0].toString(), dirs[1].toString());
        if (d.exitCode() > 1) {
            throw new AssertionError("diff failed: " + d.all());
        }
        return d.out().lines().map(l -> l.replace(dirs[0].toString(), "A").replace(dirs[1].toString(), "B")).toList();
    }

    /** {@code debugfs -R 'stat PATH'} output. */
    public static String debugfsStat(Path image, long offsetBytes, String path) throws IOException {
        String dev = offsetBytes == 0 ? image.toString() : image + "?offset=" + offsetBytes;
        Result r = run("debugfs", "-R", "stat \"" + path + "\"", dev);
        if (r.exitCode() != 0 || r.stderr().contains("File not found")) {
            throw new AssertionError("debugfs stat " + path + ": " + r.stderr());
        }
        return r.out();
    }

    // ---- FAT ---------------------------------------------------------------------------------------------

    private static final Pattern FSCK_FAT_OK_LINE = Pattern.compile(
            "fsck\\.fat [0-9.]+ \\(.*\\)|Starting check/repair pass\\.|Starting verification pass\\."
            + "|\\S+: \\d+ files, \\d+/\\d+ clusters|");

    /**
     * {@code fsck.fat -n} on a FAT partition (it takes no offset, so the partition is copied out first): exit 0
     * and none of the repair messages.
     */
    public static void assertFsckFatClean(Path image, long offsetBytes, long sizeBytes) throws IOException {
        Path copy = Files.createTempFile("fsck-fat", ".img");
        try {
            extract(image, offsetBytes, sizeBytes, copy);
            Result r = run("fsck.fat", "-n", "-V", copy.toString());
            List<String> bad = new ArrayList<>();
            for (String line : r.all().split("\n")) {
                if (!FSCK_FAT_OK_LINE.matcher(line).matches()) {
                    bad.add(line);
                }
            }
            if (r.exitCode() != 0 || !bad.isEmpty()) {
                throw new AssertionError("fsck.fat -n exited " + r.exitCode() + ", unexpected lines " + bad
                        + "\n" + r.all());
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** {@code mtype} of a file in a FAT filesystem at an offset, exact bytes. */
    public static byte[] mtype(Path image, long offsetBytes, String path) throws IOException {
        Result r = run("mtype", "-i", image + "@@" + offsetBytes, "::" + path);
        if (r.exitCode() != 0) {
            throw new AssertionError("mtype " + path + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /** {@code mdir -a} listing of a directory (short and long names as mtools sees them). */
    public static String mdir(Path image, long offsetBytes, String path) throws IOException {
        Result r = run("mdir", "-a", "-i", image + "@@" + offsetBytes, "::" + path);
        if (r.exitCode() != 0) {
            throw new AssertionError("mdir " + path + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.out();
    }

    // ---- xz and checksums ----------------------------------------------------------------------------------

    public static void assertXzTest(Path file) throws IOException {
        check("xz", "-t", file.toString());
    }

    /** {@code xz -lvv} output (block count, "Sizes in headers"). */
    public static String xzList(Path file) throws IOException {
        return new String(check("xz", "-lvv", file.toString()), StandardCharsets.UTF_8);
    }

    /** Decodes with xz-utils to a file. */
    public static void xzDecompress(Path xzFile, Path out) throws IOException {
        Result r = run("sh", "-c", "xz -dc -T2 \"$0\" > \"$1\"", xzFile.toString(), out.toString());
        if (r.exitCode() != 0) {
            throw new AssertionError("xz -d failed: " + r.stderr());
        }
    }

    public static void assertSha256sumOk(Path sidecar) throws IOException {
        Result r = run(List.of("sha256sum", "-c", sidecar.getFileName().toString()), sidecar.getParent(), Map.of());
        if (r.exitCode() != 0 || !r.out().contains(": OK")) {
            throw new AssertionError("sha256sum -c failed: " + r.all());
        }
    }

    /** Copies [offset, offset+size) of a file to {@code out} with dd (sparse-friendly). */
    public static void extract(Path image, long offsetBytes, long sizeBytes, Path out) throws IOException {
        // Byte offsets with 4 MiB reads: a card-sized partition in 512-byte reads takes minutes.
        Result r = run("dd", "if=" + image, "of=" + out, "bs=4M", "iflag=skip_bytes,count_bytes",
                "skip=" + offsetBytes, "count=" + sizeBytes, "conv=sparse", "status=none");
        if (offsetBytes % 512 != 0 || sizeBytes % 512 != 0 || r.exitCode() != 0) {
            throw new AssertionError("dd extract failed (offset and size must be sector multiples): " + r.stderr());
        }
    }
}
