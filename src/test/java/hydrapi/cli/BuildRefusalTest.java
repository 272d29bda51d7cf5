// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Accounts and logins that cannot work, and values that would break a file, are refused with one line naming the
 * option the user typed, and nothing is written.
 */
class BuildRefusalTest {

    @TempDir
    Path dir;

    private Cli.Run build(String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--base", Samples.sampleXz().toString(), "--out",
                dir.resolve("o.img.xz").toString(), "--no-hydra"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private void assertRefused(Cli.Run r, String line) throws Exception {
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals(line + "\n", r.stderr());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains("o.img.xz")).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "nixbld", "nixbld1", "nixbld17", "hydra", "hydra-queue-runner", "hydra-www",
        "nix-ssh"})
    void user_nixOrHydraAccount_refused(String name) throws Exception {
        assertRefused(build("--user", name, "--password-hash", hash()),
                "hydrapi: --user: '" + name + "' is an account of the system, Nix or Hydra (root, nixbld*, hydra*,"
                + " nix-ssh);"
                + " choose a login name of your own");
    }

    @ParameterizedTest
    @ValueSource(strings = {"daemon", "sshd", "nobody"})
    void user_systemAccountOfTheImage_refused(String name) throws Exception {
        Cli.Run r = build("--user", name, "--password-hash", hash());
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: --user: '" + name + "' is a system account of the image (UID "),
                r.stderr());
    }

    @Test
    void sshKey_emptyFile_refused() throws Exception {
        Path key = Files.writeString(dir.resolve("empty.pub"), "\n# nothing\n");
        assertRefused(build("--user", "alice", "--ssh-key", key.toString()), "hydrapi: --ssh-key " + key
                + ": holds no public key line; give the .pub file of a key (ssh-keygen makes one)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"$6$x", "$6$salt$short", "$y$j9T$salt$", "$1$md5$abcdefghijklmnopqrstuv"})
    void passwordHash_incomplete_refused(String hash) throws Exception {
        assertRefused(build("--user", "alice", "--password-hash", hash), "hydrapi: --password-hash: not a complete"
                + " SHA-512 ($6$) or yescrypt ($y$) crypt hash; make one with mkpasswd -m sha-512");
    }

    @Test
    void passwordHash_complete_accepted() {
        Cli.Run r = build("--user", "alice", "--password-hash", hash(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
    }

    @Test
    void noKeyNoPassword_warnedEvenUnderQuiet() {
        Cli.Run r = build("--user", "alice", "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("hydrapi: warning: alice gets neither an SSH key nor a password, so nobody can log in to the"
                + " image; give --ssh-key or --password-file\n", r.stderr());
    }

    @Test
    void noKeyNoPassword_overlayWithAuthorizedKeys_noWarning() throws Exception {
        Path ov = dir.resolve("ov");
        Files.createDirectories(ov.resolve("home/alice/.ssh"));
        Files.writeString(ov.resolve("home/alice/.ssh/authorized_keys"), "ssh-ed25519 AAAAC3Nza alice\n");
        Cli.Run r = build("--user", "alice", "--overlay", ov.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"quiet\nsplash", "quiet\r", "a\tb"})
    void cmdlineAppend_controlCharacter_refused(String text) throws Exception {
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                dir.resolve("o.img.xz").toString(), "--cmdline-append", text);
        assertRefused(r, "hydrapi: --cmdline-append '" + BuildCommand.visible(text) + "': holds a line break or"
                + " control character; cmdline.txt must stay one line of words separated by spaces");
    }

    @Test
    void messages_nameTheOptionsThatExist() throws Exception {
        assertRefused(build("--user", "alice", "--hydra-admin-email", "nobody"),
                "hydrapi: --hydra-admin-email: 'nobody' is not an e-mail address");
        assertRefused(build("--user", "alice", "--hydra-pin", "2016"),
                "hydrapi: --hydra-pin: '2016' is not one of legacy-2016, modern");
        assertRefused(build("--user", "Alice"), "hydrapi: --user: 'Alice' is not a login name ([a-z][a-z0-9-]{0,31})");
        assertRefused(build("--user", "alice", "--hostname", "a_b"),
                "hydrapi: --hostname: 'a_b' is not a host name (letters, digits, '-', at most 63)");
    }

    /** A complete SHA-512 crypt hash (glibc's test vector for "Hello world!"). */
    private static String hash() {
        return "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
    }
}
