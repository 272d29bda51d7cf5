// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.ext4.Ext4Writer;
import hydrapi.image.ImageView;
import hydrapi.io.OverlayDevice;
import hydrapi.io.PreferredRanges;
import hydrapi.io.SliceDevice;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ext4 filesystems a plan writes, each changed through a staging overlay of its own over its partition and
 * written down to the disk overlay only by {@link #flush()}; the block placement hint follows every writer.
 */
final class Ext4Staging {

    /** Memory a filesystem's staging overlay uses before it spills pages to a scratch file. */
    static final long STAGING_MEMORY_BYTES = 48L << 20;

    private final ImageView view;
    /** Where each filesystem's staging overlay keeps pages past {@link #STAGING_MEMORY_BYTES}; null: memory only. */
    private final Path scratchDir;
    private final Map<Integer, Ext4Writer> writers = new TreeMap<>();
    private final Map<Integer, OverlayDevice> overlays = new TreeMap<>();
    private final Map<Integer, Long> partitionStart = new TreeMap<>();
    private PreferredRanges preferred = PreferredRanges.NONE;

    Ext4Staging(ImageView view, Path scratchDir) {
        this.view = view;
        this.scratchDir = scratchDir;
    }

    /** The writer of partition {@code part}, opened (with its staging overlay) on first use. */
    Ext4Writer writer(int part) throws IOException {
        Ext4Writer w = writers.get(part);
        if (w == null) {
            SliceDevice slice = view.disk().partition(part);
            OverlayDevice ov = new OverlayDevice(slice, STAGING_MEMORY_BYTES, scratchDir);
            w = Ext4Writer.open(ov);
            w.preferBlocksIn(windowOf(part));
            partitionStart.put(part, slice.startBytes());
            overlays.put(part, ov);
            writers.put(part, w);
        }
        return w;
    }

    /** Sets the placement hint (disk offsets) for every writer, open or opened later. */
    void prefer(PreferredRanges ranges) throws IOException {
        preferred = ranges;
        for (Map.Entry<Integer, Ext4Writer> e : writers.entrySet()) {
            e.getValue().preferBlocksIn(windowOf(e.getKey()));
        }
    }

    /** The hint in disk offsets, as the writers see it now. */
    PreferredRanges preferred() {
        return preferred;
    }

    /** Whether a filesystem overlay not yet written back holds a page in [start, end) of the disk. */
    boolean staged(long start, long end) {
        for (Map.Entry<Integer, OverlayDevice> e : overlays.entrySet()) {
            long p = partitionStart.get(e.getKey());
            long s = Math.max(0, start - p);
            long t = Math.min(e.getValue().sizeBytes(), end - p);
            if (s < t && e.getValue().touches(s, t)) {
                return true;
            }
        }
        return false;
    }

    /** Flushes each writer's metadata and writes its overlay down to the disk overlay. */
    void flush() throws IOException {
        for (Map.Entry<Integer, Ext4Writer> e : writers.entrySet()) {
            e.getValue().flush();
            overlays.get(e.getKey()).writeBack();
        }
    }

    private PreferredRanges windowOf(int part) throws IOException {
        SliceDevice slice = view.disk().partition(part);
        return preferred.window(slice.startBytes(), slice.sizeBytes());
    }
}
