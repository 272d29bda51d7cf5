// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One filesystem of the image as a plan writes it: the few primitives {@link PlanApplier} and {@link StepWriter}
 * need, over the FAT boot partition ({@link FatTarget}) or an ext4 one ({@link Ext4Target}). Paths are inside the
 * filesystem ("/" is its root).
 */
interface TargetFilesystem {

    /** What is at a path; SPECIAL is a device, FIFO or socket, which no plan writes. */
    enum Kind { FILE, DIRECTORY, SYMLINK, SPECIAL }

    /** One existing path: its kind, its attributes as the running Pi shows them, a symlink's target (else null). */
    record Entry(Kind kind, Attributes attributes, String linkTarget) {
    }

    Optional<Entry> stat(String inner) throws IOException;

    /** A regular file's bytes. */
    byte[] read(String inner) throws IOException;

    /** Creates {@code inner} and its missing parents, all with {@code a}; existing directories are left alone. */
    void mkdirs(String inner, Attributes a) throws IOException;

    /** Creates or replaces a regular file. */
    void writeFile(String inner, byte[] content, Attributes a) throws IOException;

    /** Creates or replaces a regular file with the bytes of {@code hostFile}; returns their count. */
    long writeFile(String inner, Path hostFile, Attributes a) throws IOException;

    void symlink(String inner, String target, Attributes a) throws IOException;

    /** chmod and chown of an existing path. */
    void setAttributes(String inner, Attributes a) throws IOException;

    /** Whether modes and owners are stored per path, so that a plan's or a rule's can be set. */
    boolean storesAttributes();

    /** What a path written with {@code a} shows on the running Pi. */
    Attributes shown(Attributes a);

    /** The image's users and groups as this filesystem holds them now; only where attributes are stored. */
    OwnerResolver owners() throws IOException;

    /** Refuses what this filesystem cannot hold at all. */
    void refuse(ImagePath p, FileSpec spec) throws InvalidInputException;

    /** A key equal for two paths that name the same entry here (FAT matches names case-insensitively). */
    String entryKey(String inner);

    /** The directories of {@code dir} (itself included) that do not exist yet, outermost first. */
    default List<String> missingDirs(String dir) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String d = dir; !d.equals("/") && stat(d).isEmpty(); d = ImagePath.parentOf(d)) {
            missing.add(0, d);
        }
        return missing;
    }

    /**
     * Refuses a path whose parents include a symlink or a file: writes never pass through a symlink of the image
     * (the real path is unambiguous; following one could land outside the intended tree or partition).
     */
    default void refuseNonDirectoryParents(ImagePath p) throws IOException {
        String cur = "";
        String[] parts = p.inner().substring(1).split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            cur += "/" + parts[i];
            Optional<Entry> e = stat(cur);
            if (e.isEmpty()) {
                return;
            }
            if (e.get().kind() == Kind.SYMLINK) {
                throw new InvalidInputException(p.path() + ": " + cur + " is a symlink in the image (-> "
                        + e.get().linkTarget() + "); hydrapi never writes through symlinks, give the real path");
            }
            if (e.get().kind() != Kind.DIRECTORY) {
                throw new InvalidInputException(p.path() + ": " + cur + " is a file in the image, not a directory");
            }
        }
    }
}
