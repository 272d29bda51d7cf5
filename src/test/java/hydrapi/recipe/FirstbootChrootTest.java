// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first-boot runner for real (issue 4, scope 7): the files the recipe writes, put into a Debian bookworm root made
 * by testdata/make-debian-root.sh, run with chroot in a network namespace that has no route out, against a real
 * PostgreSQL 15 cluster started inside that root. Oracles are the root's own tools: getent, pwck/grpck, stat, psql.
 * Needs root (CI runs as root); a non-root run skips.
 */
class FirstbootChrootTest {

    static final String PIN_STRING = "legacy-2016 hydra=" + Pin.LEGACY_2016.hydraRev() + " nix=1.11.16";
    /** Stages that need nothing from the internet when the base already has PostgreSQL and the clock is sane. */
    static final List<String> LOCAL = List.of("00-check-preflight", "01-sync-time", "03-add-swap",
            "06-create-hydra-users", "08-setup-postgres", "09-prepare-hydra-state");
    static final List<String> WAITING = List.of("02-install-packages", "04-install-nix", "05-create-nix-users",
            "07-build-hydra", "10-run-hydra-init", "11-create-admin", "12-enable-services", "13-create-jobsets", "14-finish-firstboot");
    static final String TEST_BIN = "/opt/hydrapi-test/bin";
    static final String HOOK_BIN = "/opt/hydrapi-test/hook";

    Path work;
    Path root;
    boolean postgresStarted;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for chroot and unshare");
        work = Files.createTempDirectory("hydrapi-chroot");
        root = work.resolve("root");
        long t0 = System.nanoTime();
        sh(List.of("testdata/make-debian-root.sh", root.toString()), 3600);
        System.out.printf("debian root ready in %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
        install();
        enter(List.of("pg_ctlcluster", "15", "main", "start"), 120);
        postgresStarted = true;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (work == null) {
            return;
        }
        try {
            if (postgresStarted) {
                stopPostgres();
            }
        } finally {
            // Mounts live in namespaces that die with their processes; a leftover one would make rm reach the host.
            String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
            if (mounts.contains(work.toString())) {
                fail("mounts left under " + work + "; not deleting it");
            }
            sh(List.of("rm", "-rf", "--one-file-system", work.toString()), 300);
        }
    }

    @Test
    void run_offlineCompletesLocalStagesAndLeavesNetworkStagesWaiting() throws Exception {
        Result first = runner(false);
        assertEquals(75, first.rc, first.output);
        String status = read("run/hydra-firstboot/status").strip();
        assertTrue(status.startsWith("waiting for network (stage 02-install-packages); after it: 04-install-nix "
                + "05-create-nix-users 07-build-hydra 10-run-hydra-init"), status);
        for (String s : LOCAL) {
            assertEquals(PIN_STRING, stamp(s), s + "\n" + first.output);
        }
        for (String s : WAITING) {
            assertEquals(null, stamp(s), s);
        }
        assertFalse(Files.exists(root.resolve("var/lib/hydra-firstboot/done")));
        assertTrue(read("var/log/hydra-firstboot/02-install-packages.log")
                .contains("waiting for network (stage 02-install-packages)"));
        assertFalse(Files.exists(root.resolve("var/log/hydra-firstboot/04-install-nix.log")), "04 must not start");

        checkAccounts();
        checkPeerAuthentication();
        checkStateDirectories();

        // A second run: only the always-run preflight and the waiting stages start; nothing stamped is redone.
        Map<String, String> stamps = stampsWithTimes();
        Map<String, Long> logSizes = logSizes();
        String hba = enter(List.of("runuser", "-u", "postgres", "--", "psql", "-XtAc", "SHOW hba_file"), 60).trim();
        String hbaBefore = read(hba.substring(1));
        String oidBefore = psqlAsPostgres("SELECT oid FROM pg_database WHERE datname='hydra'");
        Result second = runner(false);
        assertEquals(75, second.rc, second.output);
        assertEquals(stamps, stampsWithTimes());
        Map<String, Long> after = logSizes();
        for (String s : LOCAL) {
            if (!s.equals("00-check-preflight")) {
                assertEquals(logSizes.get(s), after.get(s), s + " ran again:\n" + second.output);
                assertFalse(second.output.contains(": " + s), s + " ran again:\n" + second.output);
            }
        }
        assertTrue(second.output.contains("stage 3/15: 02-install-packages"), second.output);
        assertEquals(hbaBefore, read(hba.substring(1)));
        assertEquals(oidBefore, psqlAsPostgres("SELECT oid FROM pg_database WHERE datname='hydra'"));
        // No stage succeeded but the preflight, so the driver backs off before the next attempt.
        Result third = runner(false);
        assertEquals(75, third.rc, third.output);
        assertTrue(third.output.contains("attempt 2: waiting 1s before retrying"), third.output);
    }

    @Test
    void run_killedInsideThePostgresStageResumesAndCompletes() throws Exception {
        Path marker = root.resolve("tmp/hydrapi-createdb-hook");
        Process p = start(runnerCommand(true));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(marker)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    fail("the runner never reached createdb: " + new String(p.getInputStream().readAllBytes(),
                            StandardCharsets.UTF_8));
                }
                Thread.sleep(100);
            }
        } finally {
            // SIGKILL to the whole tree at once, as a power cut would stop it (PostgreSQL lives on, as after a crash
            // of the runner alone; its own recovery is its business).
            List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
            tree.add(p.toHandle());
            tree.forEach(ProcessHandle::destroyForcibly);
            p.waitFor(30, TimeUnit.SECONDS);
            // A child forked while the tree was being listed escapes one round: keep cutting, as a power cut would
            // stop everything, until nothing of the run is left in the root.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!survivors().isEmpty() && System.nanoTime() < until) {
                survivors().forEach(ProcessHandle::destroyForcibly);
                Thread.sleep(100);
            }
        }
        assertEquals(List.of(), survivors(), "processes of the killed run still inside the root");
        assertEquals("stage 9/15: 08-setup-postgres", read("run/hydra-firstboot/status").strip());
        assertEquals(null, stamp("08-setup-postgres"));
        assertEquals(PIN_STRING, stamp("06-create-hydra-users"));
        assertEquals("1", psqlAsPostgres("SELECT count(*) FROM pg_roles WHERE rolname='hydra'"), "killed after createuser");
        assertEquals("0", psqlAsPostgres("SELECT count(*) FROM pg_database WHERE datname='hydra'"), "and before createdb");

        Files.delete(marker);
        Result resumed = runner(false);
        assertEquals(75, resumed.rc, resumed.output);
        assertFalse(resumed.output.contains("stage 7/15: 06-create-hydra-users"), resumed.output);
        assertTrue(resumed.output.contains("stage 9/15: 08-setup-postgres"), resumed.output);
        for (String s : LOCAL) {
            assertEquals(PIN_STRING, stamp(s), s + "\n" + resumed.output);
        }
        assertFalse(Files.exists(marker), "the hook is gone; createdb ran for real");
        checkPeerAuthentication();
        checkStateDirectories();
    }

    @Test
    void run_clockBehindWithoutNetworkWaitsInsteadOfGuessing() throws Exception {
        // A clock before the injection time needs the mirror's Date header; offline that is a wait, never a stamp.
        Path config = root.resolve("etc/hydra-firstboot/config.env");
        String text = Files.readString(config);
        assertTrue(text.contains("NOT_BEFORE='1767225600'\n"), text);
        Files.writeString(config, text.replace("NOT_BEFORE='1767225600'\n", "NOT_BEFORE='4102444800'\n"));
        Result r = runner(false);
        assertEquals(75, r.rc, r.output);
        String status = read("run/hydra-firstboot/status").strip();
        assertTrue(status.startsWith("waiting for network (stage 01-sync-time); after it: 02-install-packages "
                + "04-install-nix"), status);
        assertEquals(null, stamp("01-sync-time"));
        assertEquals(null, stamp("02-install-packages"));
        for (String s : List.of("03-add-swap", "06-create-hydra-users", "08-setup-postgres", "09-prepare-hydra-state")) {
            assertEquals(PIN_STRING, stamp(s), s);
        }
        assertFalse(Files.exists(root.resolve("var/log/hydra-firstboot/02-install-packages.log")), "02 must not start");
        checkPeerAuthentication();
    }

    /**
     * Stage 02 for real, with Debian's archive reachable (the host's network; nothing else of the first boot needs
     * it): the legacy pin's package set installs, and every Perl module Hydra loads from Debian then loads
     * (docs/first-boot-observed.md, stage 02: hydra-server died of a missing Catalyst::Action::RenderView).
     */
    @Test
    void stage02_installsTheLegacyPackagesAndEveryPerlModuleHydraNeedsLoads() throws Exception {
        Files.copy(Path.of("/etc/resolv.conf"), root.resolve("etc/resolv.conf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" \"$@\"", root.toString()));
        cmd.addAll(List.of("/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8", "HYDRA_FIRSTBOOT_BACKOFF_BASE=1", "HYDRA_FIRSTBOOT_BACKOFF_MAX=2",
                FirstbootFiles.LIB_DIR + "/stages/02-install-packages.sh"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1800, TimeUnit.SECONDS), "stage 02 timed out");
        String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
        assertEquals(0, p.exitValue(), tail);
        assertTrue(out.contains("all Perl modules of " + FirstbootFiles.LIB_DIR + "/packages/legacy-2016.perl load"),
                tail);
        assertEquals("install ok installed", enter(List.of("dpkg-query", "-W", "-f=${Status}",
                "libcatalyst-action-renderview-perl"), 60));
    }

    private void checkAccounts() throws Exception {
        // The recipe's edits of passwd/group/shadow/gshadow, judged by shadow's own checkers (read-only mode).
        enter(List.of("pwck", "-r", "-q"), 60);
        enter(List.of("grpck", "-r"), 60);
        for (String u : List.of("hydra", "hydra-queue-runner", "hydra-www", "nixbld1", "nixbld2", "alice")) {
            assertFalse(enter(List.of("getent", "passwd", u), 60).isBlank(), u);
        }
        assertTrue(enter(List.of("getent", "group", "nixbld"), 60).trim().matches("nixbld:x:30000:nixbld1,nixbld2"));
        assertTrue((" " + enter(List.of("id", "-nG", "alice"), 60).trim() + " ").contains(" sudo "));
        assertTrue(enter(List.of("id", "-nG", "hydra-www"), 60).trim().split(" ")[0].equals("hydra"));
        assertEquals("700 alice:alice", enter(List.of("stat", "-c", "%a %U:%G", "/home/alice"), 60).trim());
    }

    private void checkPeerAuthentication() throws Exception {
        // Over the unix socket, no password anywhere: the OS user is the credential (hydra-first-boot.md §5).
        String hydra = enter(List.of("su", "-s", "/bin/sh", "hydra", "-c",
                "psql -X -d hydra -tAc 'select current_user, current_database()'"), 60).trim();
        assertEquals("hydra|hydra", hydra);
        assertEquals("hydra", enter(List.of("runuser", "-u", "hydra-www", "--", "psql", "-X", "-d", "hydra", "-U",
                "hydra", "-tAc", "select current_user"), 60).trim(), "hydra-www maps to the hydra role");
        assertEquals("hydra", enter(List.of("runuser", "-u", "hydra-queue-runner", "--", "psql", "-X", "-d", "hydra",
                "-U", "hydra", "-tAc", "select current_user"), 60).trim());
        assertEquals("hydra", psqlAsPostgres(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname='hydra'"));
        assertEquals("f|f|f", psqlAsPostgres(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname='hydra'"));
        // The superuser still reaches database hydra: stages 10 and 11 check the schema and the admin as postgres
        // (docs/first-boot-observed.md, stages 08 and 10).
        assertEquals("1", enter(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-d", "hydra", "-tAc",
                "select 1"), 60).trim(), "postgres is locked out of database hydra");
        // The map must not let anyone else in as hydra.
        Result alice = enterResult(List.of("runuser", "-u", "alice", "--", "psql", "-X", "-d", "hydra", "-U", "hydra",
                "-tAc", "select 1"), 60);
        assertNotEquals(0, alice.rc);
        assertTrue(alice.output.contains("authentication failed"), alice.output);
    }

    private void checkStateDirectories() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/var/lib/hydra", "750 hydra:hydra");
        expected.put("/var/lib/hydra/www", "700 hydra-www:hydra");
        expected.put("/var/lib/hydra/queue-runner", "700 hydra-queue-runner:hydra");
        expected.put("/var/lib/hydra/build-logs", "750 hydra-queue-runner:hydra");
        expected.put("/var/lib/hydra/runcommand-logs", "750 hydra-queue-runner:hydra");
        expected.put("/var/lib/hydra/hydra.conf", "644 hydra:hydra");
        expected.put("/var/lib/hydra-firstboot", "700 root:root");
        expected.put("/var/lib/hydra-firstboot/state", "700 root:root");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), enter(List.of("stat", "-c", "%a %U:%G", e.getKey()), 60).trim(), e.getKey());
        }
        assertTrue(read("var/lib/hydra/hydra.conf").contains("base_uri = http://hydra:3000\n"));
        // Nix is not installed yet: /nix must stay absent so stage 04 does not take it for a broken install.
        assertFalse(Files.exists(root.resolve("nix"), LinkOption.NOFOLLOW_LINKS));
    }

    /** The recipe's files written into the root as the image would hold them, plus the test's shims. */
    private void install() throws Exception {
        AccountSnapshot snapshot = new AccountSnapshot(read("etc/passwd"), read("etc/group"));
        HydraOptions o = new HydraOptions("hydra", "alice", List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDummy a@b"),
                null, null, Pin.LEGACY_2016, PinnedSources.of(Pin.LEGACY_2016), null, 2, false, Instant.parse("2026-01-01T00:00:00Z"),
                true, "/boot/firmware", List.of());
        HydraRecipe recipe = new HydraRecipe(o, snapshot, ImageRelease.UNKNOWN);
        List<FileSpec> specs = new ArrayList<>(recipe.specs());
        specs.sort((a, b) -> a.path().compareTo(b.path()));
        // The skeleton first, so that the home directory's own spec (mode 0700) is applied over cp's copy of it.
        recipe.skelCopy().ifPresent(c -> {
            try {
                sh(List.of("cp", "-a", root + c.from() + "/.", root + c.to()), 60);
                sh(List.of("chown", "-R", c.uid() + ":" + c.gid(), root + c.to()), 60);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (FileSpec s : specs) {
            if (s.path().startsWith("/boot/")) {
                continue;
            }
            Path p = root.resolve(s.path().substring(1));
            Files.createDirectories(p.getParent());
            switch (s.type()) {
                case DIRECTORY -> Files.createDirectories(p);
                case SYMLINK -> {
                    Files.deleteIfExists(p);
                    Files.createSymbolicLink(p, Path.of(s.linkTarget()));
                    continue;
                }
                case FILE -> {
                    Content c = s.content();
                    byte[] bytes;
                    if (c instanceof Content.Bytes b) {
                        bytes = b.bytes();
                    } else if (c instanceof Content.HostFile h) {
                        bytes = Files.readAllBytes(h.path());
                    } else {
                        // The account edits, applied to the root's own files as the build applies them to the image's.
                        bytes = ((Content.Edit) c).change().apply(Files.exists(p) ? Files.readAllBytes(p) : new byte[0]);
                    }
                    Files.write(p, bytes);
                }
            }
            Files.setAttribute(p, "unix:uid", s.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", s.gid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:mode", s.mode(), LinkOption.NOFOLLOW_LINKS);
        }
        // No systemd runs in the chroot: systemctl logs what it was asked and succeeds, except for questions.
        script(TEST_BIN + "/systemctl", """
                #!/bin/sh
                echo "systemctl $*" >> /var/log/hydrapi-test-systemctl.log
                case "$1" in is-active|is-enabled|is-failed) exit 3 ;; esac
                exit 0
                """);
        // Holds stage 08 between createuser and createdb so the test can kill the run there.
        script(HOOK_BIN + "/createdb", """
                #!/bin/sh
                : > /tmp/hydrapi-createdb-hook
                sleep 600
                exec /usr/bin/createdb "$@"
                """);
    }

    private void script(String path, String text) throws IOException {
        Path p = root.resolve(path.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
    }

    private List<String> runnerCommand(boolean hook) {
        String path = (hook ? HOOK_BIN + ":" : "") + TEST_BIN + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        // The unit's environment, with the clock wait (no timesyncd in a chroot) and the backoff shortened.
        return List.of("/usr/bin/env", "-i", "PATH=" + path, "LANG=C.UTF-8", "HYDRA_FIRSTBOOT_TIME_WAIT=0",
                "HYDRA_FIRSTBOOT_BACKOFF_BASE=1", "HYDRA_FIRSTBOOT_BACKOFF_MAX=2", "HYDRA_FIRSTBOOT_POLL=1",
                FirstbootFiles.LIB_DIR + "/run");
    }

    private Result runner(boolean hook) throws Exception {
        long t0 = System.nanoTime();
        Result r = enterResult(runnerCommand(hook), 600);
        System.out.printf("runner: rc %d in %d ms%n%s%n", r.rc, (System.nanoTime() - t0) / 1_000_000L, r.output);
        return r;
    }

    record Result(int rc, String output) {
    }

    /** A private mount namespace (proc, /dev/shm) and a network namespace with only loopback, then chroot. */
    private Process start(List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--net", "sh", "-c",
                "mount -t proc proc \"$0/proc\" && mount -t tmpfs -o mode=1777 shm \"$0/dev/shm\""
                        + " && chroot \"$0\" ip link set lo up && exec chroot \"$0\" \"$@\"", root.toString()));
        cmd.addAll(command);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private Result enterResult(List<String> command, int seconds) throws Exception {
        Process p = start(command);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private String enter(List<String> command, int seconds) throws Exception {
        Result r = enterResult(command, seconds);
        if (r.rc != 0) {
            fail(command + " exited " + r.rc + ": " + r.output);
        }
        return r.output;
    }

    private String psqlAsPostgres(String sql) throws Exception {
        return enter(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-tAc", sql), 60).trim();
    }

    private static void sh(List<String> command, int seconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail(command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }

    private void stopPostgres() throws Exception {
        Path pidFile = root.resolve("var/lib/postgresql/15/main/postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        enterResult(List.of("pg_ctlcluster", "15", "main", "stop", "-m", "fast"), 60);
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().join();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!survivors().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        survivors().forEach(h -> h.destroyForcibly());
    }

    /** Processes whose root directory is this test's root (/proc/PID/root). */
    private List<ProcessHandle> survivors() {
        List<ProcessHandle> in = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            try {
                Path r = Files.readSymbolicLink(Path.of("/proc/" + h.pid() + "/root"));
                if (r.equals(root)) {
                    in.add(h);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // gone, or a kernel thread
            }
        });
        in.removeIf(h -> h.info().command().orElse("").contains("postgres"));
        return in;
    }

    private String read(String relative) throws IOException {
        return Files.readString(root.resolve(relative));
    }

    private String stamp(String stage) throws IOException {
        Path p = root.resolve("var/lib/hydra-firstboot/state/" + stage + ".done");
        return Files.exists(p) ? Files.readString(p) : null;
    }

    private Map<String, String> stampsWithTimes() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try (var s = Files.list(root.resolve("var/lib/hydra-firstboot/state"))) {
            for (Path p : s.sorted().toList()) {
                FileTime t = Files.getLastModifiedTime(p);
                m.put(p.getFileName().toString(), t + " " + Files.readString(p));
            }
        }
        m.remove("00-check-preflight.done");
        return m;
    }

    private Map<String, Long> logSizes() throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String s : LOCAL) {
            Path p = root.resolve("var/log/hydra-firstboot/" + s + ".log");
            m.put(s, Files.exists(p) ? Files.size(p) : -1L);
        }
        return m;
    }
}
