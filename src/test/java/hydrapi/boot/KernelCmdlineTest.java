// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KernelCmdlineTest {

    @Test
    void forQemu_bookwormCmdline_dropsPiOnlyWordsKeepsItsFirstbootAndEndsWithTheSerialConsole() {
        String pi = "console=serial0,115200 console=tty1 root=PARTUUID=5ee1e2a3-02 rootfstype=ext4 fsck.repair=yes "
                + "rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot\n";
        assertEquals("console=tty1 root=PARTUUID=5ee1e2a3-02 rootfstype=ext4 fsck.repair=yes rootwait "
                + "init=/usr/lib/raspberrypi-sys-mods/firstboot panic=-1 console=ttyS0,115200",
                KernelCmdline.forQemu(pi, GuestArch.X86_64));
        assertEquals("console=tty1 root=PARTUUID=5ee1e2a3-02 rootfstype=ext4 fsck.repair=yes rootwait "
                + "init=/usr/lib/raspberrypi-sys-mods/firstboot panic=-1 console=ttyAMA0,115200",
                KernelCmdline.forQemu(pi, GuestArch.ARM64));
    }

    @Test
    void forQemu_trixieResizeAndUserWords_kept() {
        String pi = "console=serial0,115200 console=tty1 root=PARTUUID=1-02 rootfstype=ext4 fsck.repair=yes rootwait "
                + "resize cfg80211.ieee80211_regdom=DE panic=10";
        assertEquals("console=tty1 root=PARTUUID=1-02 rootfstype=ext4 fsck.repair=yes rootwait "
                + "resize cfg80211.ieee80211_regdom=DE panic=-1 console=ttyAMA0,115200",
                KernelCmdline.forQemu(pi, GuestArch.ARM64));
    }
}
