// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the guest's serial console line by line: copies it to the user, highlights the first-boot service's lines,
 * and recognises the lines that end a trial. The texts are firstboot/lib.sh's {@code log} format
 * ("TIME hydra-firstboot: STATUS"), firstboot/run's end-of-run statuses and stage 00's wait for the root's resize
 * (after which the driver runs nothing). It also notes the kernel's "reboot: Restarting system" (kernel/reboot.c
 * kernel_restart, pr_fmt "reboot: "): QEMU then exits (-no-reboot) and try boots the disk again, as a Pi would.
 */
final class ConsoleWatch {

    static final String MARK = "hydra-firstboot: ";
    static final String RESTART = "reboot: Restarting system";
    /** Stage 00's status while the root is smaller than the card (firstboot/stages/00-check-preflight.sh). */
    static final String ROOT_WAIT = "waiting for the root filesystem to be grown: ";
    private static final String BOLD = "\033[1m";
    private static final String RESET = "\033[0m";
    /** A console line longer than this is passed on in pieces (a guest printing without newlines). */
    private static final int MAX_LINE = 64 * 1024;
    /** firstboot/run after a stage exits with neither 0, 3 (fatal) nor 75 (network). */
    private static final java.util.regex.Pattern STAGE_FAILED =
            java.util.regex.Pattern.compile("stage \\d+/\\d+: \\S+ failed \\(\\d+\\), retrying .*");

    private final OutputStream out;
    private final boolean terminal;
    private final boolean endAtLogin;
    private final String powerCutAt;
    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private volatile boolean restarted;

    ConsoleWatch(OutputStream out, boolean terminal, boolean endAtLogin, String powerCutAt) {
        this.out = out;
        this.terminal = terminal;
        this.endAtLogin = endAtLogin;
        this.powerCutAt = powerCutAt;
    }

    /** Takes console bytes; returns the first ending they show, if any. */
    Optional<Ending> accept(byte[] buf, int off, int len) throws IOException {
        Optional<Ending> ending = Optional.empty();
        for (int i = off; i < off + len; i++) {
            line[length++] = buf[i];
            if (buf[i] == '\n' || length == MAX_LINE) {
                Optional<Ending> e = completeLine();
                if (ending.isEmpty()) {
                    ending = e;
                }
            }
        }
        // A prompt ends without a newline; so may the text to cut power at.
        if (ending.isEmpty() && length > 0) {
            String partial = new String(line, 0, length, StandardCharsets.UTF_8);
            if (powerCutAt != null && partial.contains(powerCutAt)) {
                ending = Optional.of(Ending.POWER_CUT);
            } else if (endAtLogin && partial.stripTrailing().endsWith("login:")) {
                ending = Optional.of(Ending.LOGIN);
            }
        }
        out.flush();
        return ending;
    }

    /** Whether the guest's kernel said it restarts the machine (a reboot, not a power-off). */
    boolean restarted() {
        return restarted;
    }

    /** Passes on what is left of an unfinished line. */
    void flush() throws IOException {
        out.write(line, 0, length);
        length = 0;
        out.flush();
    }

    private Optional<Ending> completeLine() throws IOException {
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        int mark = text.indexOf(MARK);
        if (mark >= 0) {
            if (terminal) {
                out.write(BOLD.getBytes(StandardCharsets.US_ASCII));
                out.write(line, 0, length - (text.endsWith("\r\n") ? 2 : text.endsWith("\n") ? 1 : 0));
                out.write((RESET + "\r\n").getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(">> ".getBytes(StandardCharsets.US_ASCII));
                out.write(line, 0, length);
            }
        } else {
            out.write(line, 0, length);
        }
        length = 0;
        if (text.contains(RESTART)) {
            restarted = true;
        }
        if (powerCutAt != null && text.contains(powerCutAt)) {
            return Optional.of(Ending.POWER_CUT);
        }
        return mark >= 0 ? statusEnding(text.substring(mark + MARK.length()).strip()) : Optional.empty();
    }

    /** The end-of-run statuses of firstboot/run. */
    static Optional<Ending> statusEnding(String status) {
        if (status.startsWith("done: ")) {
            return Optional.of(Ending.DONE);
        }
        // The driver's last line on a fatal stop, not the stage's own "FAILED: reason" before it.
        if (status.startsWith("FAILED: ") && status.endsWith("systemctl enable --now hydra-firstboot.service'")) {
            return Optional.of(Ending.FAILED);
        }
        if (STAGE_FAILED.matcher(status).matches()) {
            return Optional.of(Ending.STAGE_FAILED);
        }
        if (status.startsWith(ROOT_WAIT)) {
            return Optional.of(Ending.ROOT_WAITING);
        }
        if (status.startsWith("waiting for network (stage ") && status.endsWith("; every other stage is done")) {
            return Optional.of(Ending.WAITING);
        }
        return Optional.empty();
    }
}
