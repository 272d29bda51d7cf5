// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** gpg with a throw-away GNUPGHOME: the independent oracle for our OpenPGP code. */
public final class Gpg implements AutoCloseable {

    private final Path home;

    public Gpg() throws IOException {
        // gpg-agent's socket path must stay short (sun_path is 108 bytes), so no deep temp dirs.
        home = Files.createTempDirectory(Path.of("/tmp"), "gpg");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    /** The temporary GNUPGHOME. */
    public Path home() {
        return home;
    }

    public Oracles.Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--pinentry-mode", "loopback"));
        cmd.addAll(Arrays.asList(args));
        return Oracles.run(cmd, null, Map.of("GNUPGHOME", home.toString()));
    }

    public Oracles.Result check(String... args) throws IOException {
        Oracles.Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("gpg " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.all());
        }
        return r;
    }

    /** Generates a key and returns its primary fingerprint. algo e.g. "rsa2048" or "ed25519". */
    public String generate(String uid, String algo, String usage, String passphrase) throws IOException {
        check("--passphrase", passphrase, "--quick-gen-key", uid, algo, usage, "never");
        return fingerprint(uid);
    }

    public void addSubkey(String fpr, String algo, String usage, String passphrase) throws IOException {
        check("--passphrase", passphrase, "--quick-add-key", fpr, algo, usage, "never");
    }

    public String fingerprint(String uid) throws IOException {
        for (String line : check("--with-colons", "--list-keys", uid).out().split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no fingerprint for " + uid);
    }

    public Path exportSecret(String fpr, String passphrase, Path out) throws IOException {
        Files.write(out, check("--passphrase", passphrase, "--armor", "--export-secret-keys", fpr).stdout());
        return out;
    }

    public Path exportPublic(String fpr, boolean armor, Path out) throws IOException {
        Files.write(out, armor ? check("--armor", "--export", fpr).stdout() : check("--export", fpr).stdout());
        return out;
    }

    @Override
    public void close() throws IOException {
        Oracles.run(List.of("gpgconf", "--kill", "all"), null, Map.of("GNUPGHOME", home.toString()));
        try (var walk = Files.walk(home)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
