// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.image.ImageView;
import hydrapi.image.MountTable;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.recipe.AccountSnapshot;
import hydrapi.recipe.FirstBoot;
import hydrapi.recipe.HeadlessRecipe;
import hydrapi.recipe.HeadlessSettings;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.HydraRecipe;
import hydrapi.recipe.ImageRelease;
import hydrapi.recipe.SkelCopy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the recipe needs from the image and cannot read itself (it never touches bytes): the account files it picks
 * IDs from, the release and architecture it refuses pins by, and the /etc/skel tree a new login's home is filled from,
 * as adduser does.
 */
public final class RecipeInputs {

    private RecipeInputs() {
    }

    public static List<FileSpec> hydraSpecs(HydraOptions options, ImageView view) throws IOException {
        Ext4Volume vol = rootVolume(view);
        AccountSnapshot snapshot = new AccountSnapshot(text(vol, "/etc/passwd"), text(vol, "/etc/group"));
        HydraRecipe recipe = new HydraRecipe(options, snapshot, release(view));
        List<FileSpec> specs = new ArrayList<>(recipe.specs());
        Optional<SkelCopy> skel = recipe.skelCopy();
        if (skel.isPresent()) {
            specs.addAll(skel(vol, skel.get()));
        }
        return specs;
    }

    /**
     * VERSION_CODENAME of os-release(5) (the real file lives in /usr/lib; /etc/os-release links to it), and the
     * architecture of dpkg's own binary, which every Debian userland has: ELF e_machine at 0x12 and EI_CLASS at 4
     * (System V gABI, "ELF Header"). Either is null when the image does not have the file.
     */
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
    static FirstBoot firstBoot(ImageView view) throws IOException {
        try {
            return release(view).firstBoot();
        } catch (InvalidInputException e) {
            return FirstBoot.NONE;
        }
    }

    /** What the headless settings need to know of the image: radios' saved rfkill states, tzdata, locales. */
    static HeadlessRecipe.Facts headlessFacts(ImageView view, HeadlessSettings s) throws IOException {
        Ext4Volume root = rootVolume(view);
        List<String> wlan = new ArrayList<>();
        Optional<Ext4Entry> rfkill = root.stat("/var/lib/systemd/rfkill");
        if (rfkill.isPresent() && rfkill.get().isDirectory()) {
            for (Ext4Entry e : root.list("/var/lib/systemd/rfkill")) {
                if (e.isRegularFile() && e.name().endsWith(":wlan")) {
                    wlan.add("/var/lib/systemd/rfkill/" + e.name());
                }
            }
        }
        boolean zoneinfo = root.stat("/usr/share/zoneinfo").map(Ext4Entry::isDirectory).orElse(false);
        boolean zone = s.timezone() != null && root.stat("/usr/share/zoneinfo/" + s.timezone())
                .map(e -> e.isRegularFile() || e.isSymlink()).orElse(false);
        boolean localeGen = root.stat("/usr/sbin/locale-gen").map(e -> e.isRegularFile() || e.isSymlink())
                .orElse(false);
        boolean listed = false;
        Optional<Ext4Entry> supported = root.stat("/usr/share/i18n/SUPPORTED");
        if (s.locale() != null && supported.isPresent() && supported.get().isRegularFile()) {
            String want = s.locale() + " UTF-8";
            listed = new String(root.readFile("/usr/share/i18n/SUPPORTED"), StandardCharsets.UTF_8).lines()
                    .anyMatch(l -> l.strip().equals(want));
        }
        return new HeadlessRecipe.Facts(wlan, zoneinfo, zone, localeGen, listed);
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

    /** Every entry below {@code from}, recreated below {@code to} with the login's owner and the entry's mode. */
    static List<FileSpec> skel(Ext4Volume vol, SkelCopy copy) throws IOException {
        List<FileSpec> out = new ArrayList<>();
        Optional<Ext4Entry> top = vol.stat(copy.from());
        if (top.isEmpty() || !top.get().isDirectory()) {
            return out;
        }
        walk(vol, copy.from(), copy.to(), copy, out);
        return out;
    }

    private static void walk(Ext4Volume vol, String from, String to, SkelCopy copy, List<FileSpec> out)
            throws IOException {
        for (Ext4Entry e : vol.list(from)) {
            String src = from + "/" + e.name();
            String dst = to + "/" + e.name();
            int mode = e.mode() & 07777;
            if (e.isDirectory()) {
                out.add(new FileSpec(dst, FileSpec.Type.DIRECTORY, mode, copy.uid(), copy.gid(), null, null));
                walk(vol, src, dst, copy, out);
            } else if (e.isSymlink()) {
                out.add(new FileSpec(dst, FileSpec.Type.SYMLINK, 0777, copy.uid(), copy.gid(), null, e.linkTarget()));
            } else if (e.isRegularFile()) {
                out.add(new FileSpec(dst, FileSpec.Type.FILE, mode, copy.uid(), copy.gid(),
                        new Content.Bytes(vol.readFile(src)), null));
            }
        }
    }
}
