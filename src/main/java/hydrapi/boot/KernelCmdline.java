// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel command line QEMU passes: the image's cmdline.txt without the words only a Raspberry Pi understands,
 * plus the serial console. Words as in raspberry-pi-os-image.md §1 (pi-gen stage1/00-boot-files/files/cmdline.txt).
 */
public final class KernelCmdline {

    private KernelCmdline() {
    }

    /**
     * Dropped: {@code console=serial0,*} (a firmware alias), {@code init=/usr/lib/raspberrypi-sys-mods/firstboot}
     * and trixie's {@code resize} (both grow the SD card's root partition, bookworm's then reboots: not wanted on a
     * trial copy), and {@code quiet} (the boot is what try shows). Added: {@code console=<serial>} last, so it becomes
     * /dev/console and systemd starts a getty there; {@code panic=-1} so a kernel panic ends QEMU (-no-reboot)
     * instead of hanging until the timeout.
     */
    public static String forQemu(String cmdlineTxt, GuestArch arch) {
        List<String> out = new ArrayList<>();
        for (String w : cmdlineTxt.strip().split("\\s+")) {
            if (w.isEmpty() || w.equals("quiet") || w.startsWith("console=serial") || w.startsWith("console=ttyAMA")
                    || w.startsWith("console=ttyS") || w.startsWith("init=/usr/lib/raspberrypi-sys-mods/")
                    || w.equals("resize") || w.startsWith("panic=")) {
                continue;
            }
            out.add(w);
        }
        out.add("panic=-1");
        out.add("console=" + arch.console + ",115200");
        return String.join(" ", out);
    }
}
