// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel command line QEMU passes: the image's cmdline.txt without the words only a Raspberry Pi understands,
 * plus the serial console. Words as in raspberry-pi-os-image.md §1.5 (pi-gen stage1/00-boot-files/files/cmdline.txt).
 */
public final class KernelCmdline {

    private KernelCmdline() {
    }

    /**
     * Dropped: {@code console=serial0,*} (a firmware alias) and {@code quiet} (the boot is what try shows). Kept, since
     * try boots a card-sized disk (issue 18): the words that grow the root on first boot as on a Pi, bookworm's
     * {@code init=/usr/lib/raspberrypi-sys-mods/firstboot} (which then reboots; try boots again) and trixie's
     * {@code resize}; each removes itself from cmdline.txt once done. Added: {@code console=<serial>} last, so it
     * becomes /dev/console and systemd starts a getty there; {@code panic=-1} so a kernel panic ends QEMU
     * (-no-reboot) instead of hanging until the timeout.
     */
    public static String forQemu(String cmdlineTxt, GuestArch arch) {
        List<String> out = new ArrayList<>();
        for (String w : cmdlineTxt.strip().split("\\s+")) {
            if (w.isEmpty() || w.equals("quiet") || w.startsWith("console=serial") || w.startsWith("console=ttyAMA")
                    || w.startsWith("console=ttyS") || w.startsWith("panic=")) {
                continue;
            }
            out.add(w);
        }
        out.add("panic=-1");
        out.add("console=" + arch.console + ",115200");
        return String.join(" ", out);
    }
}
