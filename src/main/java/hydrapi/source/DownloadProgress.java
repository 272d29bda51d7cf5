// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.io.ProgressListener;

import java.util.function.LongConsumer;

/** A download's progress shown as a build phase, started at the first update because only then is the size known. */
final class DownloadProgress {

    private DownloadProgress() {
    }

    static Downloader.Progress of(ProgressListener progress, String name) {
        LongConsumer[] phase = new LongConsumer[1];
        return (done, total) -> {
            if (phase[0] == null) {
                phase[0] = progress.phase("download " + name, Math.max(0, total));
            }
            phase[0].accept(done);
        };
    }
}
