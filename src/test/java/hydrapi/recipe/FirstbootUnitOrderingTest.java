// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: hydra-firstboot.service starts only after the release's root resize, judged by systemd 252 itself
 * ({@code systemd --test}: it loads the image's units the way PID 1 does, adds the implicit dependencies, and dumps the
 * initial transaction of multi-user.target with each unit's ordering). The unit is the one the recipe puts into the
 * image; the release's resize units are modelled on the two Raspberry Pi OS releases (only the keys that order them):
 * <ul>
 * <li>bookworm: pi-gen's {@code resize2fs_once}, an LSB init script enabled in runlevel 3 (pi-gen bookworm
 * stage2/01-sys-tweaks), turned into a unit by the real systemd-sysv-generator;</li>
 * <li>trixie: raspberrypi-sys-mods' {@code rpi-resize.service} (5c67317: DefaultDependencies=no, WantedBy=sysinit.target,
 * Wants= and After= systemd-growfs-root.service) and systemd's {@code systemd-growfs-root.service}
 * (units/systemd-growfs-root.service.in: DefaultDependencies=no).</li>
 * </ul>
 * Each case also runs with the resize units taken out of our unit's After=, to show that nothing else orders them
 * before it (the test could fail).
 */
class FirstbootUnitOrderingTest {

    static final String UNIT = "hydra-firstboot.service";
    static final String RESIZE_AFTER = "After=rpi-resize.service systemd-growfs-root.service resize2fs_once.service\n";

    @TempDir
    Path tmp;

    @Test
    void unit_onABookwormLikeImage_startsAfterResize2fsOnce() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("release"));
        Path initd = Files.createDirectories(tmp.resolve("sysv/init.d"));
        Files.createDirectories(tmp.resolve("sysv/rc3.d"));
        Files.writeString(initd.resolve("resize2fs_once"), """
                #!/bin/sh
                ### BEGIN INIT INFO
                # Provides:          resize2fs_once
                # Required-Start:
                # Required-Stop:
                # Default-Start: 3
                # Default-Stop:
                # Short-Description: model of pi-gen's resize2fs_once
                ### END INIT INFO
                exit 0
                """);
        initd.resolve("resize2fs_once").toFile().setExecutable(true, false);
        // What `systemctl enable resize2fs_once` (update-rc.d) leaves.
        Files.createSymbolicLink(tmp.resolve("sysv/rc3.d/S01resize2fs_once"), Path.of("../init.d/resize2fs_once"));
        Path gen = Files.createDirectories(tmp.resolve("gen"));
        for (String d : List.of("normal", "early", "late")) {
            Files.createDirectories(gen.resolve(d));
        }
        Oracles.Result r = Oracles.run(List.of("/lib/systemd/system-generators/systemd-sysv-generator",
                gen.resolve("normal").toString(), gen.resolve("early").toString(), gen.resolve("late").toString()),
                null, Map.of("SYSTEMD_SYSVINIT_PATH", initd.toString(), "SYSTEMD_SYSVRCND_PATH",
                        tmp.resolve("sysv").toString(), "SYSTEMD_UNIT_PATH", lib.toString()));
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(Files.exists(gen.resolve("late/resize2fs_once.service")), "the generator made the unit");

        Map<String, Unit> units = transaction(imageEtc(true), gen.resolve("late"), lib);
        assertTrue(units.get("resize2fs_once.service").startJob(), "resize2fs_once runs at this boot");
        assertTrue(orderedAfter(units, UNIT).contains("resize2fs_once.service"), units.get(UNIT).after().toString());

        Map<String, Unit> without = transaction(imageEtc(false), gen.resolve("late"), lib);
        assertFalse(orderedAfter(without, UNIT).contains("resize2fs_once.service"),
                "without our After= the two would run side by side: " + without.get(UNIT).after());
    }

    @Test
    void unit_onATrixieLikeImage_startsAfterRpiResizeAndSystemdGrowfsRoot() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("release"));
        Files.writeString(lib.resolve("rpi-resize.service"), """
                [Unit]
                Description=model of raspberrypi-sys-mods' rpi-resize.service
                DefaultDependencies=no
                Wants=first-boot-complete.target systemd-growfs-root.service
                After=systemd-remount-fs.service systemd-growfs-root.service
                Before=first-boot-complete.target shutdown.target
                Conflicts=shutdown.target
                ConditionFirstBoot=yes

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/true

                [Install]
                WantedBy=sysinit.target
                """);
        Files.writeString(lib.resolve("systemd-growfs-root.service"), """
                [Unit]
                Description=model of systemd's systemd-growfs-root.service
                DefaultDependencies=no
                After=systemd-repart.service systemd-remount-fs.service
                Before=shutdown.target
                Conflicts=shutdown.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/true
                """);
        // pi-gen master stage2/01-sys-tweaks: `systemctl enable rpi-resize`.
        Path etc = imageEtc(true);
        Files.createDirectories(etc.resolve("sysinit.target.wants"));
        Files.createSymbolicLink(etc.resolve("sysinit.target.wants/rpi-resize.service"),
                lib.resolve("rpi-resize.service"));

        Map<String, Unit> units = transaction(etc, lib);
        for (String resize : List.of("rpi-resize.service", "systemd-growfs-root.service")) {
            assertTrue(units.get(resize).startJob(), resize + " runs at this boot");
            assertTrue(orderedAfter(units, UNIT).contains(resize), resize + ": " + units.get(UNIT).after());
        }

        Path bare = imageEtc(false);
        Files.createDirectories(bare.resolve("sysinit.target.wants"));
        Files.createSymbolicLink(bare.resolve("sysinit.target.wants/rpi-resize.service"),
                lib.resolve("rpi-resize.service"));
        Set<String> after = orderedAfter(transaction(bare, lib), UNIT);
        assertFalse(after.contains("rpi-resize.service") || after.contains("systemd-growfs-root.service"),
                "without our After= sysinit.target does not wait for them (DefaultDependencies=no): " + after);
    }

    /** The image's /etc/systemd/system as the recipe writes it; without the resize ordering when asked. */
    private Path imageEtc(boolean withResizeOrder) throws Exception {
        Path etc = Files.createTempDirectory(tmp, "etc");
        HydraOptions o = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.LEGACY_2016,
                PinnedSources.of(Pin.LEGACY_2016), null, 2, false, Instant.parse("2026-01-01T00:00:00Z"), true,
                "/boot/firmware", List.of());
        boolean found = false;
        for (FileSpec s : new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs()) {
            if (s.path().equals("/etc/systemd/system/" + UNIT) && s.content() instanceof Content.Bytes b) {
                String text = new String(b.bytes(), StandardCharsets.UTF_8);
                assertTrue(text.contains(RESIZE_AFTER), text);
                Files.writeString(etc.resolve(UNIT), withResizeOrder ? text : text.replace(RESIZE_AFTER, ""));
                found = true;
            } else if (s.path().equals("/etc/systemd/system/multi-user.target.wants/" + UNIT)) {
                Files.createDirectories(etc.resolve("multi-user.target.wants"));
                Files.createSymbolicLink(etc.resolve("multi-user.target.wants/" + UNIT), Path.of(s.linkTarget()));
            }
        }
        assertTrue(found, "the recipe writes " + UNIT);
        return etc;
    }

    record Unit(Set<String> after, boolean startJob) {
    }

    private static final Pattern UNIT_HEAD = Pattern.compile("^\t-> Unit (\\S+):$");
    private static final Pattern AFTER = Pattern.compile("^\t\tAfter: (\\S+) \\(");

    /**
     * systemd --test --system for multi-user.target over the image's units (etc, then the release's) and the host's
     * /lib/systemd/system (a Debian bookworm's, for the targets), parsed: each unit's After= set (explicit and
     * implicit) and whether the transaction holds a start job for it. systemd refuses test mode as root, so it runs as
     * nobody then.
     */
    private Map<String, Unit> transaction(Path... dirs) throws IOException {
        List<String> path = new ArrayList<>();
        for (Path d : dirs) {
            path.add(d.toString());
        }
        path.add("/lib/systemd/system");
        Oracles.run("chmod", "-R", "a+rX", tmp.toString());
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(List.of("/lib/systemd/systemd", "--test", "--system", "--unit=multi-user.target", "--no-pager"));
        Oracles.Result r = Oracles.run(cmd, tmp, Map.of("SYSTEMD_UNIT_PATH", String.join(":", path), "HOME", "/",
                "SYSTEMD_LOG_LEVEL", "warning"));
        String dump = r.out();
        assertEquals(0, r.exitCode(), r.all());
        Map<String, Unit> units = new HashMap<>();
        String current = null;
        Set<String> after = null;
        boolean job = false;
        for (String line : (dump + "\t-> Unit end:\n").split("\n")) {
            Matcher head = UNIT_HEAD.matcher(line);
            if (head.matches()) {
                if (current != null) {
                    units.put(current, new Unit(after, job));
                }
                current = head.group(1);
                after = new HashSet<>();
                job = false;
                continue;
            }
            if (current == null) {
                continue;
            }
            Matcher a = AFTER.matcher(line);
            if (a.find()) {
                after.add(a.group(1));
            } else if (line.strip().equals("Action: " + current + " -> start")) {
                job = true;
            }
        }
        assertTrue(units.containsKey(UNIT) && units.get(UNIT).startJob(), UNIT + " is started at boot:\n" + r.stderr());
        return units;
    }

    /** Every unit {@code name} starts after, directly or through others. */
    private static Set<String> orderedAfter(Map<String, Unit> units, String name) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
            Unit u = units.get(todo.pop());
            if (u == null) {
                continue;
            }
            for (String a : u.after()) {
                if (seen.add(a)) {
                    todo.push(a);
                }
            }
        }
        return seen;
    }
}
