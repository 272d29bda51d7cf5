// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Output files written under temporary names beside their targets and renamed into place only when all are
 * complete; {@link #close()} without {@link #commit()} deletes them, so a failed run leaves nothing behind.
 */
public final class AtomicOutput implements AutoCloseable {

    private final List<Path[]> pending = new ArrayList<>();
    private boolean committed;

    /** A temporary file in {@code target}'s directory that {@link #commit()} will rename to {@code target}. */
    public Path create(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        pending.add(new Path[] {tmp, target});
        return tmp;
    }

    /** Renames every temporary file to its target, in creation order. */
    public void commit() throws IOException {
        for (Path[] p : pending) {
            try {
                Files.move(p[0], p[1], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(p[0], p[1], StandardCopyOption.REPLACE_EXISTING);
            }
        }
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            for (Path[] p : pending) {
                Files.deleteIfExists(p[0]);
            }
        }
    }
}
