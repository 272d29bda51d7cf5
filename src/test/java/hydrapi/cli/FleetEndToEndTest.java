// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Issue 17: a fleet, for real. One fleet directory, a legacy-2016 server image and a builder image built from it by
 * hydrapi from a Debian bookworm base laid out like Raspberry Pi OS, booted together by testdata/fleet-e2e.sh, each
 * under a real systemd (systemd-nspawn) in a network namespace of its own. The harness judges from outside: the
 * server's Hydra builds the smoke jobset on the builder (over SSH, as nix-ssh, pinned host key), the builder is no
 * Hydra, and the server's signed binary cache serves the output to the builder as a client, with its key only.
 *
 * <p>The containers reach no network, so the base holds every package of firstboot/packages/legacy-2016.apt before
 * first boot; the Nix, Hydra and CPAN sources come from HYDRAPI_E2E_SOURCES as for {@link FirstbootEndToEndTest},
 * which this skips like. Two first boots compiling Nix (and one Hydra) on two cores: 20 to 40 minutes.
 */
class FleetEndToEndTest {

    private static final String SERVER = "hydra-srv";
    private static final String BUILDER = "nix-bld1";

    @Test
    void legacyFleet_serverBuildsOnTheBuilderAndServesASignedCache() throws Exception {
        String dir = System.getenv("HYDRAPI_E2E_SOURCES");
        assumeTrue(dir != null && !dir.isEmpty(), "FleetEndToEndTest skipped: HYDRAPI_E2E_SOURCES is not set "
                + "(a directory with nix-1.11.16.tar.xz, the Hydra 993647d tarball, cpan/ and SHA256SUMS; see "
                + "docs/e2e-sources.md)");
        Path sources = Path.of(dir);
        assumeTrue(Files.isRegularFile(sources.resolve("SHA256SUMS")), "FleetEndToEndTest skipped: "
                + sources + "/SHA256SUMS missing (see docs/e2e-sources.md)");
        assumeTrue("root".equals(System.getProperty("user.name")),
                "FleetEndToEndTest skipped: needs root (loop mounts, network namespaces, systemd-nspawn)");
        assumeTrue(Oracles.run("sh", "-c", "command -v systemd-nspawn").exitCode() == 0,
                "FleetEndToEndTest skipped: systemd-nspawn missing (apt-get install systemd-container)");
        assumeTrue(Oracles.run("sh", "-c", "command -v ip && command -v nsenter && command -v openssl")
                .exitCode() == 0, "FleetEndToEndTest skipped: ip, nsenter or openssl missing "
                + "(apt-get install iproute2 util-linux openssl)");

        Path work = Files.createTempDirectory(Path.of("target"), "fleet-e2e-");
        try {
            // No network inside: stage 02 must find every package of the pin already installed.
            Path base = work.resolve("debian-pi.img.xz");
            Oracles.Result made = Oracles.run(List.of("bash",
                    Samples.projectDir().resolve("testdata/make-debian-pi-image.sh").toString(), base.toString()),
                    null, Map.of("EXTRA_PACKAGES", legacyPackages()));
            assertEquals(0, made.exitCode(), made.all());

            Path jobset = Files.createDirectories(work.resolve("smoke"));
            Files.writeString(jobset.resolve("release.nix"), """
                    # A derivation that needs nothing but /bin/sh: Hydra evaluates it and sends it to the builder.
                    {
                      hello = derivation {
                        name = "hello-from-hydrapi";
                        system = builtins.currentSystem;
                        builder = "/bin/sh";
                        args = [ "-c" "echo hello from hydra > $out" ];
                      };
                    }
                    """);
            Path key = work.resolve("id.pub");
            Files.writeString(key, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPrX3XUdV3pr5Tr9CAT8e8mTXSw6bPhDrUXbJA0n7bc3 t@e\n");
            Path fleet = work.resolve("fleet");
            Cli.Run init = Cli.run("fleet", "init", fleet.toString(), "--server", SERVER, "--builder", BUILDER,
                    "--system", "x86_64-linux");
            assertEquals(0, init.exitCode(), init.stderr());

            Path server = build(base, work.resolve("srv.img.xz"), fleet, SERVER, key, sources,
                    List.of("--jobset", "smoke=" + jobset));
            Path builder = build(base, work.resolve("bld.img.xz"), fleet, BUILDER, key, sources, List.of());

            Oracles.Result run = Oracles.run(List.of("bash",
                    Samples.projectDir().resolve("testdata/fleet-e2e.sh").toString(), server.toString(),
                    builder.toString(), "--work", work.resolve("boot").toString()), null, Map.of());
            System.out.println(run.all());
            assertEquals(0, run.exitCode(), run.all());
            assertTrue(run.out().contains("content: hello from hydra"), run.all());
        } finally {
            Oracles.run("rm", "-rf", "--one-file-system", work.toString());
        }
    }

    private static Path build(Path base, Path out, Path fleet, String role, Path key, Path sources,
            List<String> more) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--base", base.toString(), "--out", out.toString(),
                "--fleet", fleet.toString(), "--role", role, "--user", "alice", "--ssh-key", key.toString(),
                "--hydra-pin", "legacy-2016", "--quiet"));
        args.addAll(more);
        args.addAll(FirstbootEndToEndTest.sourceOptions(sources));
        Cli.Run built = Cli.run(args.toArray(String[]::new));
        assertEquals(0, built.exitCode(), role + ": " + built.stderr());
        return out;
    }

    /** firstboot/packages/legacy-2016.apt without its comments, one line, as EXTRA_PACKAGES takes it. */
    private static String legacyPackages() throws Exception {
        return Files.readAllLines(Samples.projectDir().resolve("firstboot/packages/legacy-2016.apt")).stream()
                .map(l -> l.replaceAll("#.*", "").trim())
                .filter(l -> !l.isEmpty())
                .collect(Collectors.joining(" "));
    }
}
