// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

/**
 * How the image sets itself up on its first boot, read from its contents, never from its date or file name: images
 * of the same release differ (trixie 2025-10-01 carries cloud-init without seeds, 2025-11-24 with them). See
 * docs/raspberry-pi-os.md, "First boot".
 */
public enum FirstBoot {
    /** bookworm: cmdline.txt's init=/usr/lib/raspberrypi-sys-mods/firstboot resizes the root before systemd. */
    SYS_MODS_FIRSTBOOT("raspberrypi-sys-mods-firstboot"),
    /** trixie from 2025-11-24: cloud-init installed and NoCloud seeds (user-data) on the boot partition. */
    CLOUD_INIT("cloud-init"),
    /** trixie 2025-10-01: cloud-init installed, its seed files left out of the boot partition. */
    CLOUD_INIT_UNSEEDED("cloud-init-unseeded"),
    /** cmdline.txt's " resize" (initramfs resize_early, rpi-resize.service) and no cloud-init. */
    RESIZE("resize"),
    /** None of these: not a Raspberry Pi OS image, or one whose first-boot machinery is gone. */
    NONE("none");

    private final String id;

    FirstBoot(String id) {
        this.id = id;
    }

    /** The name the build manifest records. */
    public String id() {
        return id;
    }

    /**
     * @param cmdline            cmdline.txt's first line, or null when the boot partition has none
     * @param seeds              whether the boot partition holds cloud-init's NoCloud user-data
     * @param cloudInitInstalled whether dpkg's status lists cloud-init as installed
     */
    public static FirstBoot detect(String cmdline, boolean seeds, boolean cloudInitInstalled) {
        String line = cmdline == null ? "" : " " + cmdline.strip() + " ";
        if (line.contains(" init=/usr/lib/raspberrypi-sys-mods/firstboot ")) {
            return SYS_MODS_FIRSTBOOT;
        }
        if (cloudInitInstalled) {
            return seeds ? CLOUD_INIT : CLOUD_INIT_UNSEEDED;
        }
        return line.contains(" resize ") ? RESIZE : NONE;
    }
}
