// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

/** Why a trial boot stopped. */
public enum Ending {
    /** The first-boot service said "done". */
    DONE("first boot reported done"),
    /** It stopped on a fatal error. */
    FAILED("first boot reported FAILED"),
    /** A stage failed for another reason than the network; systemd would retry it after a pause. */
    STAGE_FAILED("a first-boot stage failed (systemd would retry it after a pause)"),
    /** Stage 00 waits for the root filesystem to be grown to the card, and nothing runs before it is. */
    ROOT_WAITING("first boot is waiting for its root filesystem to be grown"),
    /** Its run ended waiting for the network with every other stage done: the steady offline state. */
    WAITING("first boot is waiting for the network, every other stage done"),
    /** First boot had finished before this boot (or the image has none): the login prompt is as far as it goes. */
    LOGIN("the login prompt appeared"),
    /** --power-cut-at: QEMU was killed without a shutdown. */
    POWER_CUT("power cut"),
    /** QEMU stopped by itself (guest power-off, reboot, kernel panic). */
    EXITED("QEMU exited by itself"),
    TIMEOUT("timeout");

    public final String text;

    Ending(String text) {
        this.text = text;
    }
}
