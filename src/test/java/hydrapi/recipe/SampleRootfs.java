// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The account files of the sample image, read from the here-documents of testdata/make-sample.sh. */
final class SampleRootfs {

    private SampleRootfs() {
    }

    static String file(String path) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("testdata/make-sample.sh"));
        String marker = "\"$root" + path + "\" <<'";
        for (int i = 0; i < lines.size(); i++) {
            int at = lines.get(i).indexOf(marker);
            if (at >= 0) {
                String rest = lines.get(i).substring(at + marker.length());
                String delimiter = rest.substring(0, rest.indexOf('\''));
                StringBuilder sb = new StringBuilder();
                for (int j = i + 1; !lines.get(j).equals(delimiter); j++) {
                    sb.append(lines.get(j)).append('\n');
                }
                return sb.toString();
            }
        }
        throw new IllegalStateException("make-sample.sh writes no " + path);
    }

    static AccountSnapshot snapshot() throws IOException {
        return new AccountSnapshot(file("/etc/passwd"), file("/etc/group"));
    }
}
