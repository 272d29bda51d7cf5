// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The bundled sample base image and disks made from it with stock tools. */
public final class Samples {

    /** Layout of testdata/sample-base.img.xz, as testdata/make-sample.sh makes it. */
    public static final long BOOT_OFFSET = 8192L * 512;
    public static final long BOOT_SIZE = 81920L * 512;
    public static final long ROOT_OFFSET = (8192L + 81920) * 512;
    public static final long ROOT_SIZE = 81920L * 512;
    public static final String DISK_ID = "5ee1e2a3";

    private Samples() {
    }

    public static Path projectDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("testdata/make-sample.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("testdata/make-sample.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The committed sample base, .img.xz (multi-block, made by xz -T2). */
    public static Path sampleXz() {
        return projectDir().resolve("testdata/sample-base.img.xz");
    }

    /** The sample decoded with xz-utils into {@code dir}. */
    public static Path sampleRaw(Path dir) throws IOException {
        Path raw = dir.resolve("sample-base.img");
        Oracles.xzDecompress(sampleXz(), raw);
        return raw;
    }

    /** Runs testdata/make-sample.sh with extra environment (e.g. STYLE=trixie, RAW=1). */
    public static Path make(Path out, Map<String, String> env) throws IOException {
        Oracles.Result r = Oracles.run(List.of("bash", projectDir().resolve("testdata/make-sample.sh").toString(),
                out.toString()), null, env);
        if (r.exitCode() != 0) {
            throw new AssertionError("make-sample.sh failed: " + r.all());
        }
        return out;
    }
}
