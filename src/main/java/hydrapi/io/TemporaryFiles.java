// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every temporary file a run makes (hidden output parts, decoded base scratch), deleted when the run is done with it
 * and, when the JVM is stopped by Ctrl-C or SIGTERM, by a shutdown hook. A name carries the creating process's id
 * ({@code PREFIX PID-RANDOM SUFFIX}, the prefix naming hydrapi), so a later run can prove a leftover (from a kill -9
 * or a power cut) is stale: no process has that id any more, or the one that has it started after the file was last
 * written. Files of a live run are never touched. (On a directory shared between hosts, process ids of other hosts
 * prove nothing; such leftovers may be removed by mistake, so do not build into one directory from two machines at
 * once.)
 */
public final class TemporaryFiles {

    private static final long PID = ProcessHandle.current().pid();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Path> LIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;
    private static boolean stopping;

    private TemporaryFiles() {
    }

    /**
     * Creates an empty file {@code dir/PREFIX PID-RANDOM SUFFIX}. A {@code shared} file gets the permissions
     * any new file gets (0666 less the umask, so an output is as readable as one cp would write); otherwise 0600
     * where the filesystem has POSIX permissions (a decoded base is nobody else's business).
     */
    public static Path create(Path dir, String prefix, String suffix, boolean shared) throws IOException {
        while (true) {
            Path p = dir.resolve(prefix + PID + "-" + Long.toString(RANDOM.nextLong() >>> 1, 36) + suffix);
            synchronized (TemporaryFiles.class) {
                if (stopping) {
                    throw new IOException("hydrapi is stopping; not creating " + p);
                }
                installHook();
                try {
                    if (shared || !Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                        Files.createFile(p);
                    } else {
                        Files.createFile(p, PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
                    }
                } catch (FileAlreadyExistsException e) {
                    continue;
                }
                LIVE.add(p);
                return p;
            }
        }
    }

    /**
     * Renames each {@code {temporary, target}} pair, in order, and forgets the temporaries; under the lock the
     * shutdown hook takes, so a stopped run renames all or nothing.
     */
    static synchronized void renameAll(List<Path[]> pairs) throws IOException {
        if (stopping) {
            throw new IOException("hydrapi is stopping; the output was not written");
        }
        for (Path[] p : pairs) {
            try {
                Files.move(p[0], p[1], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(p[0], p[1], StandardCopyOption.REPLACE_EXISTING);
            }
            LIVE.remove(p[0]);
        }
    }

    /** {@code p} was renamed into place (or handed on): it is no longer ours to delete. */
    public static synchronized void release(Path p) {
        LIVE.remove(p);
    }

    /** Deletes {@code p} now (best effort) and forgets it. */
    public static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; a stale-file sweep of a later run finds it by its name
        }
        release(p);
    }

    /**
     * Deletes the files in {@code dir} named {@code PREFIX PID-RANDOM SUFFIX} that a dead process left behind;
     * returns how many.
     */
    public static int removeStale(Path dir, String prefix, String suffix) {
        int removed = 0;
        Pattern ours = Pattern.compile(Pattern.quote(prefix) + "(\\d{1,18})-[0-9a-z]{1,13}" + Pattern.quote(suffix));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher m = ours.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)
                        && isStale(Long.parseLong(m.group(1)), Files.getLastModifiedTime(p).toInstant())) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        } catch (IOException e) {
            // a directory we cannot list: nothing there we could prove is ours
        }
        return removed;
    }

    /** Whether a file last written at {@code modified} by process {@code pid} can no longer be in use. */
    static boolean isStale(long pid, Instant modified) {
        if (pid == PID) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        // The id was reused by a process that started after the file's last write.
        Optional<Instant> started = p.get().info().startInstant();
        return started.isPresent() && started.get().isAfter(modified.plusSeconds(1));
    }

    private static void installHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(TemporaryFiles::deleteAll, "hydrapi-cleanup"));
            hookInstalled = true;
        }
    }

    /** The shutdown hook: other threads may still be writing, so nothing new may be created from here on. */
    private static void deleteAll() {
        Set<Path> left;
        synchronized (TemporaryFiles.class) {
            stopping = true;
            left = new LinkedHashSet<>(LIVE);
            LIVE.clear();
        }
        for (Path p : left) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort while the JVM stops
            }
        }
    }
}
