// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
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
        } catch (IOException e) {
            throw failure(target, e);
        }
        pending.add(new Path[] {tmp, target});
        return tmp;
    }

    /** A new temporary for {@code target} holding {@code bytes}. */
    public Path write(Path target, byte[] bytes) throws IOException {
        Path tmp = create(target);
        try {
            Files.write(tmp, bytes);
        } catch (IOException e) {
            throw failure(target, e);
        }
        return tmp;
    }

    /** A stream to {@code target}'s temporary {@code tmp}; a write that fails (disk full) names {@code target}. */
    public static OutputStream open(Path target, Path tmp) throws IOException {
        return new FilterOutputStream(Files.newOutputStream(tmp)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw failure(target, e);
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw failure(target, e);
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    out.close();
                } catch (IOException e) {
                    throw failure(target, e);
                }
            }
        };
    }

    /**
     * Checks, before any work, that {@code target}'s directory takes a new file and that {@code target} is not a
     * directory: a refusal after minutes of compression would be a waste.
     */
    public static void probe(Path target) throws IOException {
        if (Files.isDirectory(target)) {
            throw new InvalidInputException(target + " is a directory; name the file to write, e.g. "
                    + target.resolve("hydra.img.xz"));
        }
        Path dir = target.toAbsolutePath().getParent();
        try {
            TemporaryFiles.delete(TemporaryFiles.create(dir, "." + target.getFileName() + ".hydrapi-", ".part",
                    true));
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    /**
     * {@code e} restated for the file the user asked for: an I/O error on our temporary would name a file the user
     * never sees, which is gone by the time the message is read.
     */
    public static IOException failure(Path target, IOException e) {
        if (e instanceof HydrapiException) {
            return e;
        }
        String reason = e instanceof ScratchWriteException s ? s.reason() : ScratchWriteException.osReason(e);
        return new IOException(target + ": cannot be written in " + target.toAbsolutePath().getParent() + " ("
                + reason + ")", e);
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
