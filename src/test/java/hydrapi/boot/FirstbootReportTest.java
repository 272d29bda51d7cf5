// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.cli.Main;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state try reports, read by our reader from a built image into which e2fsprogs' debugfs -w wrote the stamps and
 * logs a first boot would leave (so our writer does not make what our reader judges).
 */
class FirstbootReportTest {

    @TempDir
    static Path tmp;
    static Path built;
    static String pin;

    @BeforeAll
    static void build() throws Exception {
        Path out = tmp.resolve("hydra.img.xz");
        int rc = Main.execute(new String[] {"build", "--base", Samples.sampleXz().toString(), "--out", out.toString(),
            "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi", "--quiet"}, new ByteArrayOutputStream(),
            new ByteArrayOutputStream(), Map.of("SOURCE_DATE_EPOCH", "1700000000"), false);
        assertEquals(0, rc);
        built = tmp.resolve("hydra.img");
        Oracles.xzDecompress(out, built);
        String config = new String(Oracles.debugfsCat(built, Samples.ROOT_OFFSET, "/etc/hydra-firstboot/config.env"),
                StandardCharsets.UTF_8);
        pin = FirstbootReport.pinString(config);
        assertTrue(pin.startsWith("legacy-2016 hydra=993647d"), pin);
    }

    /** A copy of the built disk with {@code files} (path -> content) written by debugfs. */
    private static Path withFiles(String name, Map<String, String> files) throws Exception {
        Path disk = tmp.resolve(name);
        Files.copy(built, disk);
        StringBuilder cmds = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path host = tmp.resolve(name + "-" + i++);
            Files.writeString(host, e.getValue());
            String p = e.getKey();
            cmds.append("cd ").append(p, 0, p.lastIndexOf('/')).append('\n')
                    .append("write ").append(host).append(' ').append(p.substring(p.lastIndexOf('/') + 1)).append('\n');
        }
        Path script = tmp.resolve(name + ".debugfs");
        Files.writeString(script, cmds.toString());
        Oracles.check("debugfs", "-w", "-f", script.toString(), disk + "?offset=" + Samples.ROOT_OFFSET);
        Oracles.assertE2fsckClean(disk, Samples.ROOT_OFFSET);
        return disk;
    }

    private static Map<String, String> states(FirstbootReport r) {
        Map<String, String> m = new LinkedHashMap<>();
        r.stages().forEach(s -> m.put(s.name(), s.state().name() + (s.detail().isEmpty() ? "" : " " + s.detail())));
        return m;
    }

    @Test
    void read_freshImage_everyStageNotRun() throws Exception {
        FirstbootReport r = FirstbootReport.read(built).orElseThrow();
        assertTrue(r.present());
        assertEquals(15, r.stages().size());
        assertTrue(r.stages().stream().allMatch(s -> s.state() == FirstbootReport.State.NOT_RUN));
        assertFalse(r.localStagesDone());
    }

    @Test
    void read_offlineRun_doneWaitingHeldAndAFailureWithItsLogTail() throws Exception {
        String st = "/var/lib/hydra-firstboot/state/";
        String log = "/var/log/hydra-firstboot/";
        Map<String, String> f = new LinkedHashMap<>();
        for (String s : List.of("00-check-preflight", "01-sync-time", "03-add-swap", "06-create-hydra-users")) {
            f.put(st + s + ".done", pin);
        }
        f.put(st + "09-prepare-hydra-state.done", "modern hydra=241ab71 nix=2.31.2");   // another pin's stamp
        f.put(log + "02-install-packages.log", "T hydra-firstboot: waiting for network (stage 02-install-packages)\n");
        f.put(log + "08-setup-postgres.log", "createdb: error: connection to server failed\nline 2\n");
        FirstbootReport r = FirstbootReport.read(withFiles("offline.img", f)).orElseThrow();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("00-check-preflight", "DONE");
        expected.put("01-sync-time", "DONE");
        expected.put("02-install-packages", "WAITING");
        expected.put("03-add-swap", "DONE");
        expected.put("04-install-nix", "HELD after 02-install-packages");
        expected.put("05-create-nix-users", "HELD after 04-install-nix");
        expected.put("06-create-hydra-users", "DONE");
        expected.put("07-build-hydra", "HELD after 02-install-packages 04-install-nix 05-create-nix-users");
        expected.put("08-setup-postgres", "FAILED did not finish");
        expected.put("09-prepare-hydra-state", "NOT_RUN");
        expected.put("10-run-hydra-init", "HELD after 07-build-hydra");
        expected.put("11-create-admin", "HELD after 10-run-hydra-init");
        expected.put("12-enable-services", "HELD after 10-run-hydra-init 11-create-admin");
        expected.put("13-create-jobsets", "HELD after 11-create-admin 12-enable-services");
        expected.put("14-finish-firstboot", "HELD after 12-enable-services 13-create-jobsets");
        assertEquals(expected, states(r));
        assertEquals(List.of("createdb: error: connection to server failed", "line 2"), r.stages().get(8).logTail());
        assertFalse(r.localStagesDone());
    }

    /** Issue 18: stage 00's last word is that it waits for the root to grow; the driver ran nothing after it. */
    @Test
    void read_preflightWaitingForTheRoot_holdsBackEveryLaterStage() throws Exception {
        String wait = "its partition ends 27617 MiB before the end of the 32.0 GB card; pin legacy-2016 needs 8192 MiB "
                + "free on / and has 359 MiB";
        Map<String, String> f = new LinkedHashMap<>();
        f.put("/var/log/hydra-firstboot/00-check-preflight.log", "T hydra-firstboot: architecture arm64\n"
                + "T hydra-firstboot: waiting for the root filesystem to be grown: " + wait + "\n");
        FirstbootReport r = FirstbootReport.read(withFiles("rootwait.img", f)).orElseThrow();
        Map<String, String> s = states(r);
        assertEquals("ROOT_WAITING " + wait, s.get("00-check-preflight"));
        assertEquals("HELD after 00-check-preflight", s.get("01-sync-time"));
        assertEquals("HELD after 00-check-preflight", s.get("14-finish-firstboot"));
        assertFalse(r.localStagesDone());
        assertTrue(r.fatal().isEmpty());
    }

    @Test
    void read_fatalStop_isReportedWithItsStage() throws Exception {
        String msg = "FAILED: pin modern needs a 64-bit OS (arm64); this is armhf (see "
                + "/var/log/hydra-firstboot/00-check-preflight.log); fix and run "
                + "'systemctl enable --now hydra-firstboot.service'";
        Map<String, String> f = new LinkedHashMap<>();
        f.put("/var/lib/hydra-firstboot/failed", msg);
        f.put("/var/log/hydra-firstboot/00-check-preflight.log", "T hydra-firstboot: FAILED: pin modern needs ...\n");
        FirstbootReport r = FirstbootReport.read(withFiles("fatal.img", f)).orElseThrow();
        assertEquals(msg, r.fatal().orElseThrow());
        assertEquals(FirstbootReport.State.FAILED, r.stages().get(0).state());
        assertFalse(r.localStagesDone());
    }
}
