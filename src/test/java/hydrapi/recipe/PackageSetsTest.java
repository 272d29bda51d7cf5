// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: stage 02's package set of each pin resolves, for real, against Debian's archive for the releases and
 * architectures the pin runs on: apt-get itself, with an empty dpkg status and the archive's own index, simulating
 * the install (-s) as stage 02 asks for it (--no-install-recommends). A name the release lacks, or a dependency it
 * cannot satisfy, fails here rather than on the Pi. Needs apt-get and the network to deb.debian.org (CI has both).
 */
class PackageSetsTest {

    static final String MIRROR = "http://deb.debian.org/debian";
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} on {1} {2}")
    @CsvSource({"legacy-2016, bookworm, arm64", "legacy-2016, bookworm, armhf", "modern, trixie, arm64",
        "modern, bookworm, arm64", "legacy-2016-builder, bookworm, arm64", "modern-builder, trixie, arm64"})
    void packageSet_resolvesAgainstDebiansArchive(String pin, String suite, String arch) throws Exception {
        assumeTrue(run(List.of("sh", "-c", "command -v apt-get"), 30).rc == 0,
                "PackageSetsTest skipped: apt-get missing (a Debian host runs it)");
        assumeTrue(Files.isReadable(KEYRING), "PackageSetsTest skipped: " + KEYRING + " missing (debian-archive-keyring)");
        List<String> packages = list(Path.of("firstboot/packages/" + pin + ".apt"));
        assertTrue(packages.size() >= 3, packages.toString());

        for (String d : List.of("lists/partial", "cache/archives/partial", "etc/apt.conf.d", "etc/preferences.d")) {
            Files.createDirectories(tmp.resolve(d));
        }
        Files.writeString(tmp.resolve("status"), "");
        Files.writeString(tmp.resolve("etc/sources.list"), "deb [signed-by=" + KEYRING + "] " + MIRROR + " " + suite
                + " main\n");
        List<String> apt = new ArrayList<>(List.of("apt-get", "-o", "Dir::State::Lists=" + tmp.resolve("lists"),
                "-o", "Dir::State::status=" + tmp.resolve("status"), "-o", "Dir::Cache=" + tmp.resolve("cache"),
                "-o", "Dir::Etc::SourceList=" + tmp.resolve("etc/sources.list"), "-o", "Dir::Etc::SourceParts=/dev/null",
                "-o", "Dir::Etc::Parts=" + tmp.resolve("etc/apt.conf.d"), "-o", "Dir::Etc::Preferences=/dev/null",
                "-o", "Dir::Etc::PreferencesParts=" + tmp.resolve("etc/preferences.d"), "-o", "APT::Architecture=" + arch,
                "-o", "APT::Architectures::=" + arch, "-o", "Debug::NoLocking=1", "-o", "Acquire::Retries=3"));
        List<String> update = new ArrayList<>(apt);
        update.addAll(List.of("-q", "update"));
        Result u = run(update, 600);
        assertEquals(0, u.rc, "apt-get update against " + MIRROR + " " + suite + " failed:\n" + u.out);

        List<String> install = new ArrayList<>(apt);
        install.addAll(List.of("-s", "install", "--no-install-recommends"));
        install.addAll(packages);
        Result r = run(install, 600);
        assertEquals(0, r.rc, pin + " on " + suite + " " + arch + ":\n" + r.out);
        // Every package named is among those apt would configure.
        for (String p : packages) {
            assertTrue(r.out.contains("\nConf " + p + " ("), p + " not installed by:\n" + r.out);
        }
    }

    /** The names of a package list: one a line, '#' comments, as stage 02 reads it. */
    static List<String> list(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String name = line.replaceAll("#.*", "").strip();
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    record Result(int rc, String out) {
    }

    static Result run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + cmd);
        }
        return new Result(p.exitValue(), "\n" + new String(out, StandardCharsets.UTF_8));
    }
}
