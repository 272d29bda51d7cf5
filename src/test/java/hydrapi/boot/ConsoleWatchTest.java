// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ConsoleWatchTest {

    private static Optional<Ending> feed(ConsoleWatch w, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return w.accept(b, 0, b.length);
    }

    @Test
    void accept_stageWaitingLine_isNoEnding_driverEndOfRunLineIs() throws Exception {
        ConsoleWatch w = new ConsoleWatch(new ByteArrayOutputStream(), false, false, null);
        // need_network's own line (lib.sh) while later local stages still run.
        assertEquals(Optional.empty(), feed(w, "[ 50.1] run[360]: 2026-12-02T01:14:07Z hydra-firstboot: waiting for "
                + "network (stage 02-install-packages)\r\n"));
        assertEquals(Optional.empty(), feed(w, "hydra-firstboot: stage 9/14: 08-setup-postgres\r\n"));
        // firstboot/run's line at the end of the run, cut across two reads.
        assertEquals(Optional.empty(), feed(w, "[ 61.0] run[360]: 2026-12-02T01:14:18Z hydra-firstboot: waiting for "
                + "network (stage 02-install-packages); after it: 04-install-nix; every oth"));
        assertEquals(Optional.of(Ending.WAITING), feed(w, "er stage is done\r\n"));
    }

    @Test
    void accept_fatalStop_endsOnTheDriversLineNotTheStages() throws Exception {
        ConsoleWatch w = new ConsoleWatch(new ByteArrayOutputStream(), false, false, null);
        assertEquals(Optional.empty(), feed(w, "hydra-firstboot: FAILED: pin modern needs a 64-bit OS (arm64)\n"));
        assertEquals(Optional.of(Ending.FAILED), feed(w, "hydra-firstboot: FAILED: pin modern needs a 64-bit OS "
                + "(arm64) (see /var/log/hydra-firstboot/00-check-preflight.log); fix and run 'systemctl enable --now "
                + "hydra-firstboot.service'\n"));
        assertEquals(Optional.of(Ending.DONE), feed(w, "x hydra-firstboot: done: Hydra ready at http://hydra:3000\n"));
        assertEquals(Optional.of(Ending.STAGE_FAILED), feed(w, "hydra-firstboot: stage 12/14: 11-create-admin failed "
                + "(1), retrying (attempt 1; log /var/log/hydra-firstboot/11-create-admin.log)\n"));
    }

    /** Issue 18: stage 00's wait for the root's resize ends the trial; nothing runs after it until systemd retries. */
    @Test
    void accept_preflightWaitingForTheRoot_endsTheTrial() throws Exception {
        ConsoleWatch w = new ConsoleWatch(new ByteArrayOutputStream(), false, false, null);
        assertEquals(Optional.empty(), feed(w, "hydra-firstboot: stage 1/15: 00-check-preflight\n"));
        assertEquals(Optional.of(Ending.ROOT_WAITING), feed(w, "[ 9.1] run[1]: T hydra-firstboot: waiting for the root "
                + "filesystem to be grown: it holds 2574 MiB of its 30257 MiB partition; pin legacy-2016 needs ...\n"));
    }

    /** The kernel's line for a reboot (not a power-off): try boots the disk again. */
    @Test
    void restarted_onlyAfterTheKernelsRestartLine() throws Exception {
        ConsoleWatch w = new ConsoleWatch(new ByteArrayOutputStream(), false, false, null);
        feed(w, "[   12.0] reboot: Power down\r\n");
        assertFalse(w.restarted());
        feed(w, "[   12.0] reboot: Restarting system\r\n");
        assertTrue(w.restarted());
    }

    @Test
    void accept_loginPromptWithoutNewline_endsOnlyWhenAsked() throws Exception {
        assertEquals(Optional.empty(), feed(new ConsoleWatch(new ByteArrayOutputStream(), false, false, null),
                "\r\nhydra login: "));
        assertEquals(Optional.of(Ending.LOGIN), feed(new ConsoleWatch(new ByteArrayOutputStream(), false, true, null),
                "\r\nhydra login: "));
    }

    @Test
    void accept_powerCutText_inAPartialLine() throws Exception {
        ConsoleWatch w = new ConsoleWatch(new ByteArrayOutputStream(), false, false, "enable postgresql");
        assertEquals(Optional.of(Ending.POWER_CUT), feed(w, "Executing: /lib/systemd/systemd-sysv-install enable postgr"
                + "esql"));
    }

    @Test
    void accept_marksFirstBootLines_boldOnATerminal_prefixedOtherwise() throws Exception {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ConsoleWatch w = new ConsoleWatch(plain, false, false, null);
        feed(w, "[  OK  ] Started ssh\r\n[ 4.2] run[1]: T hydra-firstboot: stage 1/14: 00-check-preflight\r\n");
        assertEquals("[  OK  ] Started ssh\r\n>> [ 4.2] run[1]: T hydra-firstboot: stage 1/14: 00-check-preflight\r\n",
                plain.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        feed(new ConsoleWatch(tty, true, false, null), "a hydra-firstboot: b\r\n");
        assertEquals("\033[1ma hydra-firstboot: b\033[0m\r\n", tty.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        ConsoleWatch r = new ConsoleWatch(rest, false, false, null);
        feed(r, "no newline yet");
        r.flush();
        assertTrue(rest.toString(StandardCharsets.UTF_8).endsWith("no newline yet"));
    }
}
