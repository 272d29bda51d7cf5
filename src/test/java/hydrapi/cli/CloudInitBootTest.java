// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, scope 7: a Debian trixie root with Debian's own cloud-init, laid out like Raspberry Pi OS trixie with
 * NoCloud seeds on its boot partition that name another host, another user and a command
 * (testdata/make-debian-pi-image.sh STYLE=trixie-cloudinit), booted under a real systemd by
 * testdata/cloud-init-boot.sh. First the base, to show the seeds are live (cloud-init applies them); then the image
 * hydrapi built from it, to show that after first boot the host name, the admin login, its SSH key and the first-boot
 * service are hydrapi's and nothing of the seeds happened. Needs root, systemd-nspawn and Debian's archive
 * (mmdebstrap); the trixie root is cached beside the bookworm one.
 */
class CloudInitBootTest {

    static Path work;
    static Path base;
    static Path seeds;

    @BeforeAll
    static void baseImage() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "CloudInitBootTest skipped: needs root (mmdebstrap, loop mounts, systemd-nspawn); CI runs as root");
        assumeTrue(Oracles.run("sh", "-c", "command -v systemd-nspawn && command -v mmdebstrap").exitCode() == 0,
                "CloudInitBootTest skipped: systemd-nspawn or mmdebstrap missing (apt-get install systemd-container"
                        + " mmdebstrap; .ci/run does)");
        work = Files.createTempDirectory(Path.of("target"), "cloud-init-");
        seeds = Files.createDirectories(work.resolve("seeds"));
        // What a user of Imager could have left in the seeds: another host, another sudo user, a command.
        Files.writeString(seeds.resolve("user-data"), """
                #cloud-config
                hostname: cloudy
                manage_etc_hosts: true
                users:
                  - name: mallory
                    groups: sudo
                    shell: /bin/bash
                runcmd:
                  - [ touch, /var/tmp/cloud-init-ran ]
                """);
        Files.writeString(seeds.resolve("meta-data"), "instance-id: seed-test-1\nlocal-hostname: cloudy\n");
        Files.writeString(seeds.resolve("network-config"), "network:\n  version: 2\n");
        base = work.resolve("trixie.img.xz");
        long t0 = System.nanoTime();
        Oracles.Result made = Oracles.run(List.of("bash",
                Samples.projectDir().resolve("testdata/make-debian-pi-image.sh").toString(), base.toString()),
                null, Map.of("STYLE", "trixie-cloudinit", "SEED_DIR", seeds.toString()));
        assertEquals(0, made.exitCode(), made.all());
        System.out.printf("CloudInitBootTest: trixie base in %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Oracles.run("rm", "-rf", "--one-file-system", work.toString());
        }
    }

    @Test
    void theSeedsAreLiveOnTheBase_andHydrapisImageIsHydrapisAfterFirstBoot() throws Exception {
        Oracles.Result control = boot(base, "seeds", List.of());
        assertEquals(0, control.exitCode(), control.all());

        Path key = work.resolve("id.pub");
        Files.writeString(key, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPrX3XUdV3pr5Tr9CAT8e8mTXSw6bPhDrUXbJA0n7bc3 t@e\n");
        Path image = work.resolve("hydra.img.xz");
        Cli.Run built = Cli.run("build", "--base", base.toString(), "--out", image.toString(), "--user", "alice",
                "--ssh-key", key.toString(), "--hostname", "hydra", "--hydra-pin", "modern", "--quiet");
        assertEquals(0, built.exitCode(), built.stderr());
        Oracles.check("jq", "-e", ".first_boot == \"cloud-init\"", image + ".manifest.json");
        Oracles.Result hydra = boot(image, "hydrapi", List.of("--host", "hydra", "--admin", "alice", "--key",
                key.toString()));
        assertEquals(0, hydra.exitCode(), hydra.all());
    }

    private static Oracles.Result boot(Path image, String expect, List<String> more) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash",
                Samples.projectDir().resolve("testdata/cloud-init-boot.sh").toString(), image.toString(), "--expect",
                expect, "--seed-host", "cloudy", "--seed-user", "mallory", "--work",
                work.resolve("boot-" + expect).toString()));
        cmd.addAll(more);
        Oracles.Result r = Oracles.run(cmd, null, Map.of());
        System.out.println("cloud-init-boot.sh --expect " + expect + ":\n" + r.all());
        return r;
    }
}
