// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.ext4.Ext4Writer;
import hydrapi.ext4.FileContent;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * An ext4 filesystem of the image as a plan writes it, through its writer (and so its staging overlay): modes,
 * owners and symlinks are stored, and owner names resolve through the filesystem's own /etc/passwd and /etc/group
 * as they are at that moment.
 */
final class Ext4Target implements TargetFilesystem {

    /** What {@link OwnerResolver} reads: a write to one of them makes the names read so far stale. */
    private static final Set<String> OWNER_FILES = Set.of("/etc/passwd", "/etc/group");

    private final Ext4Writer writer;
    private final Instant now;
    /** Read on first use, dropped when an account file changes. */
    private OwnerResolver owners;

    Ext4Target(Ext4Writer writer, Instant now) {
        this.writer = writer;
        this.now = now;
    }

    @Override
    public Optional<Entry> stat(String inner) throws IOException {
        return writer.volume().stat(inner).map(e -> new Entry(kindOf(e),
                new Attributes(e.mode() & 07777, e.uid(), e.gid()), e.linkTarget()));
    }

    private static Kind kindOf(Ext4Entry e) {
        return e.isDirectory() ? Kind.DIRECTORY : e.isSymlink() ? Kind.SYMLINK
                : e.isRegularFile() ? Kind.FILE : Kind.SPECIAL;
    }

    @Override
    public byte[] read(String inner) throws IOException {
        return writer.volume().readFile(inner);
    }

    @Override
    public void mkdirs(String inner, Attributes a) throws IOException {
        writer.mkdirs(inner, a.mode(), a.uid(), a.gid(), now);
        changed(inner);
    }

    @Override
    public void writeFile(String inner, byte[] content, Attributes a) throws IOException {
        writer.writeFile(inner, content, a.mode(), a.uid(), a.gid(), now);
        changed(inner);
    }

    /** Copied piece by piece: never whole in memory, whatever its size. */
    @Override
    public long writeFile(String inner, Path hostFile, Attributes a) throws IOException {
        try (FileChannel ch = FileChannel.open(hostFile, StandardOpenOption.READ)) {
            long size = ch.size();
            writer.writeFile(inner, FileContent.of(ch, size), a.mode(), a.uid(), a.gid(), now);
            changed(inner);
            return size;
        }
    }

    @Override
    public void symlink(String inner, String target, Attributes a) throws IOException {
        writer.symlink(inner, target, a.uid(), a.gid(), now);
        changed(inner);
    }

    @Override
    public void setAttributes(String inner, Attributes a) throws IOException {
        writer.setAttributes(inner, a.mode(), a.uid(), a.gid(), now);
    }

    @Override
    public boolean storesAttributes() {
        return true;
    }

    @Override
    public Attributes shown(Attributes a) {
        return a;
    }

    @Override
    public OwnerResolver owners() throws IOException {
        if (owners == null) {
            Ext4Volume v = writer.volume();
            owners = new OwnerResolver(readIfFile(v, "/etc/passwd"), readIfFile(v, "/etc/group"));
        }
        return owners;
    }

    /** ext4 holds every kind a plan has. */
    @Override
    public void refuse(ImagePath p, FileSpec spec) {
    }

    @Override
    public String entryKey(String inner) {
        return inner;
    }

    private void changed(String inner) {
        if (OWNER_FILES.contains(inner)) {
            owners = null;
        }
    }

    private static byte[] readIfFile(Ext4Volume v, String path) throws IOException {
        Optional<Ext4Entry> e = v.stat(path);
        return e.isPresent() && e.get().isRegularFile() ? v.readFile(path) : null;
    }
}
