// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The images testdata/make-ext4-fixtures.sh builds, made once per test run under target/. */
final class Ext4Fixtures {

    static final List<String> STYLES = List.of("bookworm", "trixie", "1k", "64bit", "unsigned", "gdtcsum");
    /** Styles with metadata_csum (all but gdtcsum). */
    static final List<String> CSUM_STYLES = List.of("bookworm", "trixie", "1k", "64bit", "unsigned");

    private static Path dir;

    private Ext4Fixtures() {
    }

    static synchronized Path dir() throws IOException {
        if (dir == null) {
            Path d = Path.of("target", "ext4-fixtures").toAbsolutePath();
            Oracles.check("bash", "testdata/make-ext4-fixtures.sh", d.toString());
            dir = d;
        }
        return dir;
    }

    static Path image(String style) throws IOException {
        return dir().resolve(style + ".img");
    }

    static Path tree() throws IOException {
        return dir().resolve("tree");
    }

    /** A private copy a test may damage. */
    static Path copy(String style, Path tmp) throws IOException {
        Path c = tmp.resolve(style + "-copy.img");
        Files.copy(image(style), c, StandardCopyOption.REPLACE_EXISTING);
        return c;
    }
}
