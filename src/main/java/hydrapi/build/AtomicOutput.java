// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Output files written under temporary names beside their targets ({@code .NAME.hydrapi-PID-RANDOM.part}, see
 * {@link TemporaryFiles}) and renamed into place only when all are complete; {@link #close()} without
 * {@link #commit()} deletes them, and so does Ctrl-C, so a failed or stopped run leaves nothing behind. They get the
 * permissions any new file gets under the umask, as the outputs of cp or xz do.
 */
public final class AtomicOutput implements AutoCloseable {

    private final List<Path[]> pending = new ArrayList<>();
    private boolean committed;

    /** A temporary file in {@code target}'s directory that {@link #commit()} will rename to {@code target}. */
    public Path create(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String hidden = "." + target.getFileName() + ".hydrapi-";
        // Parts a killed run left for this very target; a live run's are kept.
        TemporaryFiles.removeStale(dir, hidden, ".part");
        Path tmp;
        try {
            tmp = TemporaryFiles.create(dir, hidden, ".part", true);
        } catch (java.nio.file.FileSystemException e) {
            // Name the file the user asked for, not our temporary one.
            throw new IOException(target + ": cannot be written in " + dir + " ("
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()) + ")", e);
        }
        pending.add(new Path[] {tmp, target});
        return tmp;
    }

    /**
     * Renames every temporary file to its target, in creation order: all of them, or none when the run is being
     * stopped (a Ctrl-C never leaves an image beside a sidecar of the previous build).
     */
    public void commit() throws IOException {
        TemporaryFiles.renameAll(pending);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            for (Path[] p : pending) {
                TemporaryFiles.delete(p[0]);
            }
        }
    }
}
