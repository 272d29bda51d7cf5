// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.image.ImageView;
import hydrapi.io.FileBlockDevice;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the kernel and initrd of a trial boot come from. A generic kernel in the image's /boot (x86-64, or an arm64
 * image that has one) boots with its own initrd. Raspberry Pi kernels do not boot on QEMU's virt board, so an arm64
 * Raspberry Pi OS image boots a Debian kernel from --kernel-deb, with the image's own initramfs (initramfs8 on the boot
 * partition) plus an {@link InitrdAppendix} holding the modules that kernel needs to reach the root filesystem.
 */
final class BootKernel {

    /** Modules the virt board's disk and the root filesystem need (virtio-blk on PCI, ext4). */
    static final List<String> REQUIRED = List.of("virtio_pci", "virtio_blk", "ext4");
    /**
     * Wanted when modules (the root's own modules are another kernel's, so nothing is loaded later): crc32c for
     * ext4's metadata_csum (a softdep), vfat and its code pages for fstab's /boot/firmware, virtio-rng for entropy,
     * gpio-keys and evdev for the virt board's power button (QMP system_powerdown reaches logind through
     * /dev/input/event*).
     */
    static final List<String> OPTIONAL = List.of("crc32c", "vfat", "nls_cp437", "nls_ascii", "nls_utf8",
            "virtio_rng", "gpio_keys", "evdev");

    /** The kernel and initrd written into the trial's work directory. */
    record Extracted(Path kernel, Path initrd) {
    }

    /** A checked choice, made before the image is decoded. */
    interface Plan {
        Extracted prepare(Path rawDisk, Path work) throws IOException;
    }

    private BootKernel() {
    }

    static Plan plan(GuestImage guest, Path kernelDeb) throws IOException {
        if (kernelDeb != null) {
            if (guest.arch() != GuestArch.ARM64) {
                throw InvalidInputException.about(TrialBoot.KERNEL_PACKAGE, "is for arm64 images; this "
                        + guest.arch().debianName + " image boots the kernel in its own /boot");
            }
            if (!Files.isRegularFile(kernelDeb)) {
                throw new NoSuchFileException(kernelDeb.toString());
            }
            String initramfs = guest.piInitramfs().orElseThrow(() -> new UnsupportedImageException(
                    "the image's boot partition has no initramfs8 or initramfs_2712 to boot the "
                    + HydrapiException.mention(TrialBoot.KERNEL_PACKAGE) + " kernel with; set auto_initramfs=1 in"
                    + " config.txt and install initramfs-tools in the image"));
            return (disk, work) -> fromDeb(kernelDeb, initramfs, disk, work);
        }
        if (guest.kernel().isPresent()) {
            GuestImage.GenericKernel k = guest.kernel().get();
            return (disk, work) -> fromImage(k, disk, work);
        }
        if (guest.arch() == GuestArch.ARM64) {
            throw new InvalidInputException("this arm64 image has only Raspberry Pi kernels, which do not boot on"
                    + " QEMU's virt board: give " + HydrapiException.mention(TrialBoot.KERNEL_PACKAGE) + " FILE, a"
                    + " Debian linux-image-*-arm64 package (Debian package linux-image-arm64; apt-get download it)");
        }
        throw new UnsupportedImageException("the image has no /boot/vmlinuz-VERSION with /boot/initrd.img-VERSION;"
                + " install a kernel in it (Debian package linux-image-amd64)");
    }

    private static Extracted fromImage(GuestImage.GenericKernel k, Path disk, Path work) throws IOException {
        Path kernel = work.resolve("vmlinuz");
        Path initrd = work.resolve("initrd.img");
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(disk)) {
            ImageView view = ImageView.open(dev, disk.getFileName().toString());
            Files.write(kernel, view.read(k.vmlinuz()));
            Files.write(initrd, view.read(k.initrd()));
        }
        return new Extracted(kernel, initrd);
    }

    private static Extracted fromDeb(Path deb, String initramfs, Path disk, Path work) throws IOException {
        KernelDeb.Contents c = KernelDeb.read(deb, REQUIRED, OPTIONAL);
        Path kernel = work.resolve("vmlinuz-" + c.version());
        Path initrd = work.resolve("initrd.img");
        Files.write(kernel, c.vmlinuz());
        byte[] base;
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(disk)) {
            base = ImageView.open(dev, disk.getFileName().toString()).read(initramfs);
        }
        try (OutputStream out = Files.newOutputStream(initrd)) {
            out.write(base);
            out.write(new byte[(4 - base.length % 4) % 4]);
            out.write(InitrdAppendix.build(c.modules(), c.moduleBytes()));
        }
        return new Extracted(kernel, initrd);
    }
}
