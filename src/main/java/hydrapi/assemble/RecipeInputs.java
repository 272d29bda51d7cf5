// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.image.ImageView;
import hydrapi.image.MountTable;
import hydrapi.recipe.AccountSnapshot;
import hydrapi.recipe.FirstBoot;
import hydrapi.recipe.ImageFacts;
import hydrapi.recipe.ImageRelease;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The facts recipes read from the base image ({@link ImageFacts}), served from its root filesystem before anything
 * is written: the account files new IDs are picked from, the release and architecture pins are refused by, the
 * /etc/skel tree a new login's home is filled from, as adduser does. The root is opened on the first question, so
 * a build without recipes never needs a readable root.
 */
public final class RecipeInputs implements ImageFacts {

    private final ImageView view;
    private Ext4Volume root;
    private ImageRelease release;

    public RecipeInputs(ImageView view) {
        this.view = view;
    }

    @Override
    public ImageRelease release() throws IOException {
        if (release == null) {
            release = release(view);
        }
        return release;
    }

    @Override
    public AccountSnapshot accounts() throws IOException {
        return new AccountSnapshot(text(root(), "/etc/passwd"), text(root(), "/etc/group"));
    }

    @Override
    public String bootMount() {
        return view.bootMount().orElse(MountTable.DEFAULT_BOOT_MOUNT);
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        return root().stat(path).map(RecipeInputs::entry);
    }

    @Override
    public List<Entry> list(String dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Ext4Entry e : root().list(dir)) {
            out.add(entry(e));
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    @Override
    public byte[] read(String path) throws IOException {
        return root().readFile(path);
    }

    private Ext4Volume root() throws IOException {
        if (root == null) {
            root = rootVolume(view);
        }
        return root;
    }

    private static Entry entry(Ext4Entry e) {
        Kind kind = e.isDirectory() ? Kind.DIRECTORY : e.isSymlink() ? Kind.SYMLINK
                : e.isRegularFile() ? Kind.FILE : Kind.OTHER;
        return new Entry(e.name(), kind, e.mode() & 07777, e.isSymlink() ? e.linkTarget() : null);
    }

    /** The root's release and architecture, and the first-boot machinery the boot partition and dpkg show. */
    public static ImageRelease release(ImageView view) throws IOException {
        Ext4Volume root = rootVolume(view);
        ImageRelease r = release(root);
        String boot = view.bootMount().orElse(MountTable.DEFAULT_BOOT_MOUNT);
        String cmdline = null;
        boolean seeds = false;
        if (view.mounts().resolve(boot + "/cmdline.txt").isPresent()) {
            if (view.exists(boot + "/cmdline.txt")) {
                cmdline = new String(view.read(boot + "/cmdline.txt"), StandardCharsets.UTF_8).split("\n", 2)[0];
            }
            seeds = view.exists(boot + "/user-data");
        }
        boolean cloudInit = dpkgInstalled(root, "cloud-init");
        return new ImageRelease(r.codename(), r.architecture(), FirstBoot.detect(cmdline, seeds, cloudInit), cloudInit);
    }

    /** The first-boot machinery, or NONE for an image whose root cannot be read as Raspberry Pi OS's. */
    FirstBoot firstBoot() throws IOException {
        try {
            return release().firstBoot();
        } catch (InvalidInputException e) {
            return FirstBoot.NONE;
        }
    }

    /** Whether dpkg's status database (dpkg(1), "INFORMATION ABOUT PACKAGES") lists PACKAGE as installed. */
    static boolean dpkgInstalled(Ext4Volume root, String pkg) throws IOException {
        Optional<Ext4Entry> e = root.stat("/var/lib/dpkg/status");
        if (e.isEmpty() || !e.get().isRegularFile()) {
            return false;
        }
        for (String stanza : new String(root.readFile("/var/lib/dpkg/status"), StandardCharsets.UTF_8).split("\n\n")) {
            if (("\n" + stanza).contains("\nPackage: " + pkg + "\n")
                    && ("\n" + stanza).contains("\nStatus: install ok installed")) {
                return true;
            }
        }
        return false;
    }

    private static Ext4Volume rootVolume(ImageView view) throws IOException {
        MountTable.Located root = view.locate("/etc/passwd");
        int part = root.mount().partition();
        if (view.ext4(part).isEmpty() && view.fat(part).isEmpty()) {
            // An ext4 root with a refused feature is unsupported (exit 3), not a usage error.
            throw view.unreadable("/etc/passwd", part);
        }
        return view.ext4(part).orElseThrow(() -> new InvalidInputException(
                "the image's root partition is not ext4, so no accounts can be added"));
    }

    /**
     * VERSION_CODENAME of os-release(5) (the real file lives in /usr/lib; /etc/os-release links to it), and the
     * architecture of dpkg's own binary, which every Debian userland has: ELF e_machine at 0x12 and EI_CLASS at 4
     * (System V gABI, "ELF Header"). Either is null when the image does not have the file.
     */
    static ImageRelease release(Ext4Volume vol) throws IOException {
        String codename = null;
        for (String path : List.of("/usr/lib/os-release", "/etc/os-release")) {
            Optional<Ext4Entry> e = vol.stat(path);
            if (e.isPresent() && e.get().isRegularFile()) {
                for (String line : new String(vol.readFile(path), StandardCharsets.UTF_8).split("\n")) {
                    if (line.startsWith("VERSION_CODENAME=")) {
                        codename = line.substring(17).replace("\"", "").replace("'", "").strip();
                    }
                }
                break;
            }
        }
        String arch = null;
        Optional<Ext4Entry> dpkg = vol.stat("/usr/bin/dpkg");
        if (dpkg.isPresent() && dpkg.get().isRegularFile()) {
            byte[] elf = vol.readFile("/usr/bin/dpkg");
            if (elf.length >= 20 && elf[0] == 0x7F && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F') {
                int machine = (elf[0x12] & 0xFF) | (elf[0x13] & 0xFF) << 8;
                boolean is64 = elf[4] == 2;
                arch = switch (machine) {
                    case 0xB7 -> "arm64";
                    case 0x28 -> "armhf";
                    case 0x3E -> is64 ? "amd64" : "x32";
                    case 0x03 -> "i386";
                    default -> String.format("ELF machine 0x%x", machine);
                };
            }
        }
        return new ImageRelease(codename == null || codename.isEmpty() ? null : codename, arch);
    }

    private static String text(Ext4Volume vol, String path) throws IOException {
        Optional<Ext4Entry> e = vol.stat(path);
        if (e.isEmpty() || !e.get().isRegularFile()) {
            throw new InvalidInputException("the image has no " + path + "; is this a Raspberry Pi OS image?");
        }
        return new String(vol.readFile(path), StandardCharsets.UTF_8);
    }
}
