// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.fat.FatVolume;
import hydrapi.image.ImageView;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The FAT boot partition as a plan writes it: files and directories only. FAT stores no modes, owners or symlinks;
 * what the Pi shows for every path comes from the mount, so attributes asked for are dropped.
 */
final class FatTarget implements TargetFilesystem {

    /** Every path as the running Pi shows it: vfat's default fmask/dmask 0022 and the mounting user, root. */
    private static final Attributes SHOWN = new Attributes(ImageView.FAT_MODE, 0, 0);

    private final FatVolume fat;
    private final Instant now;

    FatTarget(FatVolume fat, Instant now) {
        this.fat = fat;
        this.now = now;
    }

    @Override
    public Optional<Entry> stat(String inner) throws IOException {
        return fat.stat(inner).map(e -> new Entry(e.directory() ? Kind.DIRECTORY : Kind.FILE, SHOWN, null));
    }

    @Override
    public byte[] read(String inner) throws IOException {
        return fat.readFile(inner);
    }

    @Override
    public void mkdirs(String inner, Attributes a) throws IOException {
        fat.mkdirs(inner, now);
    }

    @Override
    public void writeFile(String inner, byte[] content, Attributes a) throws IOException {
        fat.writeFile(inner, content, now);
    }

    /** Read whole: FatVolume writes a file from memory, and boot partition files are small. */
    @Override
    public long writeFile(String inner, Path hostFile, Attributes a) throws IOException {
        byte[] content = Files.readAllBytes(hostFile);
        fat.writeFile(inner, content, now);
        return content.length;
    }

    @Override
    public void symlink(String inner, String target, Attributes a) {
        throw new IllegalStateException("FAT symlink " + inner + ": refused when located");
    }

    @Override
    public void setAttributes(String inner, Attributes a) {
        throw new IllegalStateException("FAT attributes of " + inner + ": FAT stores none");
    }

    @Override
    public boolean storesAttributes() {
        return false;
    }

    @Override
    public Attributes shown(Attributes a) {
        return SHOWN;
    }

    @Override
    public OwnerResolver owners() {
        throw new IllegalStateException("FAT stores no owners");
    }

    @Override
    public void refuse(ImagePath p, FileSpec spec) throws InvalidInputException {
        if (spec.type() == FileSpec.Type.SYMLINK) {
            throw new InvalidInputException(p.path() + ": a symlink cannot be stored on the FAT boot partition; put"
                    + " a regular file there");
        }
    }

    /** FatVolume matches names case-insensitively, as vfat and Windows do: CONFIG.TXT is config.txt. */
    @Override
    public String entryKey(String inner) {
        return inner.toUpperCase(Locale.ROOT);
    }
}
