// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class ShellScriptsTest {

    /** Files with a shell shebang or a "shellcheck shell=" directive, under firstboot/ and overlays/. */
    static List<Path> shellFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("firstboot", "overlays")) {
            try (Stream<Path> s = Files.walk(Path.of(dir))) {
                for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                    String head = Files.readString(p, StandardCharsets.UTF_8).lines().limit(3)
                            .reduce("", (a, b) -> a + b + "\n");
                    if (head.matches("(?s)#!\\S*(/sh|/bash|env bash|env sh)\\b.*") || head.contains("shellcheck shell=")) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void shellcheck_passesOnEveryShellFile() throws Exception {
        List<Path> files = shellFiles();
        // run, lib.sh, hydra-prestart, the stages, profile.d/hydra.sh, the motd script.
        assertEquals(3 + FirstbootFiles.STAGES.size() + 2, files.size(), files.toString());
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x", "--severity=style"));
        files.forEach(f -> cmd.add(f.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("shellcheck is missing: apt-get install shellcheck (" + e.getMessage() + ")");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.isBlank(), out);
    }

    /** The test and bench harnesses judge the product; they are held to the same standard. */
    @Test
    void shellcheck_passesOnTheHarnessScripts() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x", "--severity=style"));
        for (String dir : List.of("testdata", "bench")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> cmd.add(p.toString()));
            }
        }
        assertTrue(cmd.contains("testdata/firstboot-e2e.sh") && cmd.contains("testdata/nspawn-lib.sh"), cmd.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    /**
     * config.env, both ways: every key the recipe writes (for either pin) is read by a first-boot script, and every
     * upper-case variable the scripts read is a key the recipe writes, one an admin may add (each with a default in
     * the script), a variable the scripts set themselves, the environment's, or a test override.
     */
    @Test
    void configEnv_keysWrittenAreReadAndKeysReadAreWritten(@org.junit.jupiter.api.io.TempDir Path fleetDir)
            throws Exception {
        java.util.Set<String> written = new java.util.TreeSet<>();
        // A server on its own, and a fleet's builder (whose config.env holds keys a server's does not).
        hydrapi.fleet.FleetDirectory.Loaded fleet = hydrapi.fleet.FleetDirectory.init(fleetDir.resolve("f"),
                new hydrapi.fleet.Fleet("hydra", List.of(new hydrapi.fleet.Fleet.Builder("bld1",
                        List.of("aarch64-linux"), 1, 2))), new java.security.SecureRandom());
        List<HydraOptions> options = new ArrayList<>();
        for (Pin pin : Pin.values()) {
            HydraOptions o = new HydraOptions("hydra", "alice", List.of(), null, null, pin, PinnedSources.of(pin), null,
                    2, false, java.time.Instant.EPOCH, true, "/boot/firmware", List.of());
            options.add(o);
            options.add(new HydraOptions("bld1", "alice", List.of(), null, null, pin, PinnedSources.of(pin), null,
                    2, false, java.time.Instant.EPOCH, true, "/boot/firmware", List.of())
                    .withFleet(hydrapi.fleet.FleetMember.of(fleet, "bld1")));
        }
        for (HydraOptions o : options) {
            for (hydrapi.plan.FileSpec f : new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs()) {
                if (f.path().equals("/etc/hydra-firstboot/config.env")) {
                    String text = new String(((hydrapi.plan.Content.Bytes) f.content()).bytes(), StandardCharsets.UTF_8);
                    text.lines().filter(l -> l.matches("[A-Z][A-Z0-9_]*=.*"))
                            .forEach(l -> written.add(l.substring(0, l.indexOf('='))));
                }
            }
        }
        StringBuilder all = new StringBuilder();
        for (Path f : shellFiles()) {
            all.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
        }
        String scripts = all.toString();
        java.util.Set<String> read = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]+)").matcher(scripts);
        while (m.find()) {
            read.add(m.group(1));
        }
        java.util.Set<String> setHere = new java.util.TreeSet<>();
        java.util.regex.Matcher a = java.util.regex.Pattern.compile("(?m)(?:^\\s*(?:export |local )?|\\bread -r (?:-a )?)"
                + "([A-Z][A-Z0-9_]+)[=\\s]").matcher(scripts);
        while (a.find()) {
            setHere.add(a.group(1));
        }
        java.util.Set<String> optional = java.util.Set.of("ADMIN_PASSWORD_HASH", "BINARY_CACHE_URL", "CHECK_INTERVAL");
        java.util.Set<String> environment = java.util.Set.of("HOME", "USER", "PATH", "NOTIFY_SOCKET", "BASH_SOURCE",
                "PIPESTATUS", "SIG");
        for (String k : written) {
            assertTrue(read.contains(k), "config.env key " + k + " is written but no script reads it");
        }
        for (String k : read) {
            if (!written.contains(k) && !optional.contains(k) && !setHere.contains(k) && !environment.contains(k)
                    && !k.startsWith("HYDRA_FIRSTBOOT_")) {
                fail("scripts read " + k + ", which config.env never holds and no script sets");
            }
        }
        for (String k : optional) {
            assertTrue(scripts.contains("${" + k + ":-"), k + " is optional, so its reader needs a default");
        }
    }

    @Test
    void stages_setStrictModeAndNamesFollowTheConvention() throws Exception {
        for (String stage : FirstbootFiles.STAGES) {
            assertTrue(stage.matches("\\d\\d-[a-z]+-[a-z-]+"), stage);
            String body = Files.readString(Path.of("firstboot/stages/" + stage + ".sh"));
            assertTrue(body.contains("\nset -Eeuo pipefail\n"), stage);
        }
        assertTrue(Files.readString(Path.of("firstboot/run")).contains("\nset -Eeuo pipefail\n"));
    }

    @Test
    void stages_needOnlyEarlierStagesThatExist() throws Exception {
        // The driver runs in name order and holds back a stage whose needs are unstamped: a need that is later or
        // misspelt would hold it back for ever. The local stages must need no download stage (issue 4, scope 6).
        int withNeeds = 0;
        for (int i = 0; i < FirstbootFiles.STAGES.size(); i++) {
            String stage = FirstbootFiles.STAGES.get(i);
            List<String> earlier = FirstbootFiles.STAGES.subList(0, i);
            for (String line : Files.readAllLines(Path.of("firstboot/stages/" + stage + ".sh"))) {
                if (line.startsWith("# hydra-firstboot: after ")) {
                    withNeeds++;
                    for (String need : line.substring("# hydra-firstboot: after ".length()).split(" ")) {
                        assertTrue(earlier.contains(need), stage + " needs " + need);
                        if (List.of("06-create-hydra-users", "08-setup-postgres", "09-prepare-hydra-state")
                                .contains(stage)) {
                            assertFalse(List.of("02-install-packages", "04-install-nix", "07-build-hydra").contains(need),
                                    stage + " must not wait for " + need);
                        }
                    }
                }
            }
        }
        assertEquals(10, withNeeds);
    }
}
