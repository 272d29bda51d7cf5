// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.UnsupportedImageException;

/**
 * The guest's CPU architecture as its root filesystem's binaries say, and what QEMU needs for it. ELF header layout:
 * System V gABI "ELF Header" (e_ident[EI_CLASS] at 4, e_machine at 0x12, little-endian for both arches).
 */
public enum GuestArch {
    X86_64("x86-64", 0x3E, "qemu-system-x86_64", "qemu-system-x86", "ttyS0"),
    ARM64("arm64", 0xB7, "qemu-system-aarch64", "qemu-system-arm", "ttyAMA0");

    public final String debianName;
    final int elfMachine;
    public final String qemuBinary;
    /** The Debian package that ships {@link #qemuBinary}. */
    public final String qemuPackage;
    /** The serial console device: the PC's 16550 UART, or the PL011 of QEMU's virt board. */
    public final String console;

    GuestArch(String debianName, int elfMachine, String qemuBinary, String qemuPackage, String console) {
        this.debianName = debianName;
        this.elfMachine = elfMachine;
        this.qemuBinary = qemuBinary;
        this.qemuPackage = qemuPackage;
        this.console = console;
    }

    /** Reads e_machine of an ELF executable; {@code what} names it in messages. */
    public static GuestArch ofElf(byte[] elf, String what) throws UnsupportedImageException {
        if (elf.length < 20 || elf[0] != 0x7F || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw new UnsupportedImageException(what + " is not an ELF executable; cannot tell the image's architecture");
        }
        int machine = (elf[0x12] & 0xFF) | (elf[0x13] & 0xFF) << 8;
        boolean is64 = elf[4] == 2;
        for (GuestArch a : values()) {
            if (a.elfMachine == machine && is64) {
                return a;
            }
        }
        String name = switch (machine) {
            case 0x28 -> "32-bit ARM (armhf)";
            case 0x03 -> "i386";
            default -> String.format("ELF machine 0x%x", machine);
        };
        throw new UnsupportedImageException(what + " is built for " + name + "; try boots arm64 and x86-64 images only");
    }
}
