// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/** Progress for pipes and CI logs, on a fake clock: silent at first, then a line every 20 s, whole lines only. */
class LineProgressTest {

    private static final long S = 1_000_000_000L;

    @Test
    void phase_printsAFewWholeLinesAMinuteAndAnEnd() {
        StringWriter out = new StringWriter();
        long[] now = {1000 * S};
        LineProgress p = new LineProgress(new PrintWriter(out), () -> now[0]);
        LongConsumer quick = p.phase("check base.img.xz", 0);
        for (int i = 1; i <= 14; i++) {
            now[0] += S;
            quick.accept(i << 20);
        }
        LongConsumer c = p.phase("compress", 600L << 20);
        assertEquals("", out.toString(), "a phase shorter than the quiet time says nothing, not even its end");
        // Ten minutes of progress, a report every second.
        for (int i = 1; i <= 600; i++) {
            now[0] += S;
            c.accept((long) i << 20);
        }
        p.finish();
        List<String> lines = out.toString().lines().toList();
        assertFalse(out.toString().contains("\r"));
        assertTrue(lines.size() >= 28 && lines.size() <= 32, "about 3 lines a minute: " + lines.size());
        assertEquals("hydrapi: compress: 15.0 MiB of 600.0 MiB (2%), 1.0 MiB/s, about 9:45 left", lines.get(0));
        assertEquals("hydrapi: compress: 600.0 MiB of 600.0 MiB (100%), 1.0 MiB/s, done in 10:00",
                lines.get(lines.size() - 1));
    }
}
