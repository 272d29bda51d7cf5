// SPDX-License-Identifier: Apache-2.0
package hydrapi.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetDirectoryTest {

    @TempDir
    Path tmp;

    private static final Fleet FLEET = new Fleet("hydra", List.of(
            new Fleet.Builder("b1", List.of("aarch64-linux"), 2, 1),
            new Fleet.Builder("b2", List.of("aarch64-linux", "armv7l-linux"), 4, 2)));

    @Test
    void init_writesKeysSshKeygenReads_withSecretModes() throws IOException {
        Path dir = tmp.resolve("fleet");
        FleetDirectory.Loaded made = FleetDirectory.init(dir, FLEET, new SecureRandom());
        assertEquals("rwx------", mode(dir));
        for (String key : List.of("server/id_ed25519", "builders/b1/ssh_host_ed25519_key",
                "builders/b2/ssh_host_ed25519_key")) {
            Path priv = dir.resolve(key);
            assertEquals("rw-------", mode(priv), key);
            assertEquals("rw-r--r--", mode(Path.of(priv + ".pub")), key);
            assertEquals("rwx------", mode(priv.getParent()), key);
            // OpenSSH derives the public key from our private key file: the two files agree, and ssh can load it.
            String derived = new String(Oracles.check("ssh-keygen", "-y", "-f", priv.toString()),
                    StandardCharsets.UTF_8).strip();
            String pub = Files.readString(Path.of(priv + ".pub")).strip();
            assertEquals(derived.split(" ")[1], pub.split(" ")[1], key);
            assertTrue(new String(Oracles.check("ssh-keygen", "-l", "-f", priv + ".pub"), StandardCharsets.UTF_8)
                    .contains("(ED25519)"), key);
        }
        assertEquals("rw-r--r--", mode(dir.resolve(FleetDirectory.MANIFEST)));
        Oracles.check("jq", "-e", ".hydrapi_fleet == 1 and .server == \"hydra\" and (.builders | map(.name)) =="
                + " [\"b1\", \"b2\"] and .builders[1].systems == [\"aarch64-linux\", \"armv7l-linux\"]"
                + " and .builders[1].max_jobs == 4", dir.resolve(FleetDirectory.MANIFEST).toString());

        FleetDirectory.Loaded read = FleetDirectory.read(dir);
        assertEquals(FLEET, read.fleet());
        assertEquals(made.queueRunnerKey(), read.queueRunnerKey());
        assertEquals(made.hostKeys(), read.hostKeys());
        assertEquals(List.of("fleet"), names(tmp), "nothing but the fleet is left in its parent");
    }

    @Test
    void init_refusesADirectoryInUse_andLeavesNothing() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(dir.resolve("keep"), "mine");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> FleetDirectory.init(dir, FLEET, new SecureRandom()));
        assertTrue(e.getMessage().contains("not an empty directory"), e.getMessage());
        assertEquals(List.of("keep"), names(dir));
        assertEquals(List.of("used"), names(tmp));
        // An empty directory is taken, as a new one.
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        FleetDirectory.init(empty, FLEET, new SecureRandom());
        assertTrue(Files.isRegularFile(empty.resolve(FleetDirectory.MANIFEST)));
    }

    @Test
    void read_refusesWhatWouldPutABadKeyIntoAnImage() throws IOException {
        Path dir = tmp.resolve("fleet");
        FleetDirectory.init(dir, FLEET, new SecureRandom());
        Path key = dir.resolve("builders/b2/ssh_host_ed25519_key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(InvalidInputException.class, () -> FleetDirectory.read(dir)).getMessage()
                .contains("chmod 600"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        // b1's public key beside b2's private key: the pair does not match.
        Files.copy(dir.resolve("builders/b1/ssh_host_ed25519_key.pub"), Path.of(key + ".pub"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(assertThrows(InvalidInputException.class, () -> FleetDirectory.read(dir)).getMessage()
                .contains("is not the private key's"));
        Files.delete(Path.of(key + ".pub"));
        assertTrue(assertThrows(InvalidInputException.class, () -> FleetDirectory.read(dir)).getMessage()
                .contains("missing from the fleet directory"));
        assertThrows(InvalidInputException.class, () -> FleetDirectory.read(tmp));
    }

    @Test
    void validate_refusesNamesSystemsAndJobsAMachinesFileCannotTake() {
        List<Fleet> bad = List.of(
                new Fleet("hydra", List.of()),
                new Fleet("hy dra", List.of(new Fleet.Builder("b1", List.of("aarch64-linux"), 1, 1))),
                new Fleet("hydra", List.of(new Fleet.Builder("HYDRA", List.of("aarch64-linux"), 1, 1))),
                new Fleet("hydra", List.of(new Fleet.Builder("b1", List.of("aarch64-linux"), 1, 1),
                        new Fleet.Builder("b1", List.of("aarch64-linux"), 1, 1))),
                new Fleet("hydra", List.of(new Fleet.Builder("b1", List.of("aarch64 linux"), 1, 1))),
                new Fleet("hydra", List.of(new Fleet.Builder("b1", List.of(), 1, 1))),
                new Fleet("hydra", List.of(new Fleet.Builder("b1", List.of("aarch64-linux"), 0, 1))),
                new Fleet("hydra", List.of(new Fleet.Builder("b1", List.of("aarch64-linux"), 1, 0))));
        for (Fleet f : bad) {
            InvalidInputException e = assertThrows(InvalidInputException.class, f::validate, f.toString());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Mutated key files are refused by name, never with a library's runtime exception (seed printed on failure). */
    @Test
    void check_mutatedKeys_onlyOurRefusal() {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        Random rnd = new Random(seed);
        SshKeyPair pair = SshKeyPair.generate(new SecureRandom(), "x@y");
        for (int i = 0; i < 500; i++) {
            char[] priv = pair.privateKey().toCharArray();
            char[] pub = pair.publicKey().toCharArray();
            char[] target = rnd.nextBoolean() ? priv : pub;
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                target[rnd.nextInt(target.length)] = (char) (rnd.nextInt(3) == 0 ? rnd.nextInt(128)
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".charAt(rnd.nextInt(65)));
            }
            try {
                SshKeyPair.check(new String(priv), new String(pub), "key");
            } catch (InvalidInputException expected) {
                assertTrue(expected.getMessage().startsWith("key: "), "seed " + seed + ": " + expected.getMessage());
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " round " + i + ": " + e, e);
            }
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
