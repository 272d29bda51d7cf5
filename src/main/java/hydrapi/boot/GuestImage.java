// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.InvalidInputException;
import hydrapi.image.ImageView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What try needs to know about an image before booting it, read with our own readers: the architecture, the kernel
 * command line, a generic kernel and initrd in the root's /boot, the Raspberry Pi initramfs on the boot partition,
 * whether first boot had already finished, and the size of its root.
 */
public record GuestImage(GuestArch arch, String cmdlineTxt, Optional<GenericKernel> kernel, Optional<String> piInitramfs,
                         boolean firstbootFinished, Optional<RootSize> root) {

    /** A kernel {@code /boot/vmlinuz-VERSION} with its {@code /boot/initrd.img-VERSION}. */
    public record GenericKernel(String version, String vmlinuz, String initrd) {
    }

    /** Binaries that every Debian root has; the first one found tells the architecture. */
    private static final List<String> ELF_PROBES = List.of("/usr/bin/env", "/bin/env", "/usr/bin/dash", "/bin/dash");
    /** Raspberry Pi OS's initramfs files on the boot partition: Pi 4 and earlier 64-bit, Pi 5. */
    private static final List<String> PI_INITRAMFS = List.of("initramfs8", "initramfs_2712");

    public static GuestImage read(ImageView view) throws IOException {
        GuestArch arch = arch(view);
        String boot = view.bootMount().orElseThrow(() -> new InvalidInputException(
                "no FAT boot partition found, so no cmdline.txt; try boots Raspberry Pi OS images"));
        String cmdline = new String(view.read(boot + "/cmdline.txt"), StandardCharsets.UTF_8);
        Optional<String> pi = Optional.empty();
        for (String name : PI_INITRAMFS) {
            if (exists(view, boot + "/" + name)) {
                pi = Optional.of(boot + "/" + name);
                break;
            }
        }
        // Nothing left to run (or nothing to run at all): the login prompt is the end of the boot.
        boolean finished = !exists(view, FirstbootReport.LIB_DIR + "/stages")
                || exists(view, FirstbootReport.STATE_DIR + "/done")
                || exists(view, FirstbootReport.STATE_DIR + "/failed");
        return new GuestImage(arch, cmdline, genericKernel(view), pi, finished,
                RootSize.of(view, view.disk().device().sizeBytes()));
    }

    private static GuestArch arch(ImageView view) throws IOException {
        for (String p : ELF_PROBES) {
            if (exists(view, p)) {
                return GuestArch.ofElf(view.read(p), p);
            }
        }
        throw new InvalidInputException("none of " + ELF_PROBES + " is in the image's root filesystem;"
                + " cannot tell its architecture");
    }

    /** The newest {@code vmlinuz-V} in /boot that has an {@code initrd.img-V}; Raspberry Pi kernels live elsewhere. */
    private static Optional<GenericKernel> genericKernel(ImageView view) throws IOException {
        if (!exists(view, "/boot")) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        for (ImageView.Entry e : view.list("/boot")) {
            if (e.type() == '-') {
                names.add(e.name());
            }
        }
        return names.stream()
                .filter(n -> n.startsWith("vmlinuz-"))
                .map(n -> n.substring("vmlinuz-".length()))
                .filter(v -> names.contains("initrd.img-" + v))
                .max(Comparator.comparing(KernelVersion::new))
                .map(v -> new GenericKernel(v, "/boot/vmlinuz-" + v, "/boot/initrd.img-" + v));
    }

    static boolean exists(ImageView view, String path) throws IOException {
        try {
            view.list(path);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** Kernel versions compared by their numeric parts (6.1.0-10 before 6.1.0-9 as text, after it here). */
    record KernelVersion(String text) implements Comparable<KernelVersion> {
        @Override
        public int compareTo(KernelVersion o) {
            String[] a = text.split("[^0-9]+");
            String[] b = o.text.split("[^0-9]+");
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                if (!a[i].equals(b[i]) && !a[i].isEmpty() && !b[i].isEmpty()) {
                    int c = a[i].length() != b[i].length() ? Integer.compare(a[i].length(), b[i].length())
                            : a[i].compareTo(b[i]);
                    if (c != 0) {
                        return c;
                    }
                }
            }
            return a.length != b.length ? Integer.compare(a.length, b.length) : text.compareTo(o.text);
        }
    }
}
