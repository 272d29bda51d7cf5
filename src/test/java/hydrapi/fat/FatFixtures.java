// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Fixture images from testdata/make-fat-fixtures.sh, built once per JVM; each test works on its own copy. */
final class FatFixtures {

    private static Path dir;

    private FatFixtures() {
    }

    static synchronized Path built() throws IOException {
        if (dir == null) {
            Path d = Files.createTempDirectory("fat-fixtures");
            Oracles.check("bash", Path.of("testdata/make-fat-fixtures.sh").toAbsolutePath().toString(), d.toString());
            dir = d;
        }
        return dir;
    }

    /** A fresh copy of fat32.img or fat16.img in {@code tmp}. */
    static Path copy(String name, Path tmp) throws IOException {
        Path target = tmp.resolve(name);
        Files.copy(built().resolve(name), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** The tree mcopy put in: the script's source files are regenerated here from the same recipe. */
    static byte[] cmdline() {
        return "console=serial0,115200 console=tty1 root=PARTUUID=abcd1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
