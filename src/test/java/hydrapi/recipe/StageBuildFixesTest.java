// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two compile failures first boot met on bookworm (docs/first-boot-observed.md, stages 04 and 07), reproduced
 * with this machine's own gcc 12 and Boehm GC 8.2 headers and libraries: stage 04 and stage 07 run for real, in a temp
 * root, on small source trees that fail exactly as Nix 1.11.16 and Hydra 993647d did (a shared library using
 * gc_cpp.h's placement new, linked with no undefined symbols allowed; queue-runner sources calling roundf and powf
 * with the headers the originals include). Each test also runs the stage with its fix taken out and expects the
 * original error, so it cannot pass without the fix. Needs g++, make, pkg-config and libgc-dev (.ci/run installs them).
 */
class StageBuildFixesTest {

    @TempDir
    Path tmp;
    Path root;
    Path lib;

    @BeforeEach
    void setUp() throws Exception {
        for (String tool : List.of("g++", "make", "pkg-config", "xz")) {
            if (run(List.of("sh", "-c", "command -v " + tool), Map.of()).rc != 0) {
                fail(tool + " missing: apt-get install g++ make pkg-config libgc-dev xz-utils");
            }
        }
        if (run(List.of("pkg-config", "--exists", "bdw-gc"), Map.of()).rc != 0) {
            fail("bdw-gc.pc missing: apt-get install libgc-dev");
        }
        root = tmp.resolve("root");
        lib = root.resolve("usr/local/lib/hydra-firstboot");
        Files.createDirectories(lib.resolve("stages"));
        Files.copy(Path.of("firstboot/lib.sh"), lib.resolve("lib.sh"));
        // ldconfig would rewrite the host's cache; the test root has nothing to register.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        script(bin.resolve("ldconfig"), "#!/bin/sh\nexit 0\n");
    }

    @Test
    void stage04_linksNixAgainstBoehmGc82_andFailsWithoutGccpp() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("tree/nix-1.11.16"));
        // Nix's configure substitutes BDW_GC_LIBS, given or found by PKG_CHECK_MODULES, into what make links with.
        script(src.resolve("configure"), """
                #!/bin/sh
                libs="BDW_GC_LIBS=$(pkg-config --libs bdw-gc)"
                for a in "$@"; do case "$a" in BDW_GC_LIBS=*) libs=$a ;; esac; done
                echo "$libs" > config.mk
                """);
        Files.writeString(src.resolve("eval.cc"), """
                // Nix's libexpr allocates with gc_cpp.h's placement new, whose out-of-memory path calls
                // GC_throw_bad_alloc().
                #include <gc/gc_cpp.h>
                struct Value { int n; };
                Value * allocValue() { return new (UseGC) Value; }
                """);
        Files.writeString(src.resolve("Makefile"), """
                include config.mk
                all: libnixexpr.so
                libnixexpr.so: eval.cc
                \tg++ -shared -fPIC -Wl,-z,defs -o $@ eval.cc $(BDW_GC_LIBS)
                install: libnixexpr.so
                \tmkdir -p $(R)/usr/local/bin
                \tprintf '#!/bin/sh\\necho "nix-store (Nix) 1.11.16"\\n' > $(R)/usr/local/bin/nix-store
                \tchmod +x $(R)/usr/local/bin/nix-store
                """);
        Path tarball = root.resolve("var/cache/hydra-firstboot/src/nix-1.11.16.tar.xz");
        Files.createDirectories(tarball.getParent());
        assertEquals(0, run(List.of("tar", "-C", tmp.resolve("tree").toString(), "-cJf", tarball.toString(),
                "nix-1.11.16"), Map.of()).rc);
        config("NIX_TARBALL_SHA256='" + sha256(tarball) + "'\n");
        String stage = Files.readString(Path.of("firstboot/stages/04-install-nix.sh"));

        Files.writeString(lib.resolve("stages/04-install-nix.sh"), unfixed(stage, "flags+=(\"BDW_GC_LIBS="));
        Result without = stage("04-install-nix");
        assertNotEquals(0, without.rc, without.out);
        assertTrue(without.out.contains("undefined reference to `GC_throw_bad_alloc()'"), without.out);

        Files.writeString(lib.resolve("stages/04-install-nix.sh"), stage);
        Result with = stage("04-install-nix");
        assertEquals(0, with.rc, with.out);
        assertTrue(Files.exists(root.resolve("var/cache/hydra-firstboot/build/nix/libnixexpr.so")), with.out);
    }

    @Test
    void stage07_compilesTheQueueRunnerWithGcc12_andFailsWithoutCmath() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("tree/hydra-993647d/src/hydra-queue-runner"));
        Path top = src.getParent().getParent();
        script(top.resolve("bootstrap"), "#!/bin/sh\nexit 0\n");
        script(top.resolve("configure"), "#!/bin/sh\nexit 0\n");
        // The standard headers dispatcher.cc and build-remote.cc (and state.hh) include at 993647d; none declares
        // roundf or powf any more with gcc 12's libstdc++.
        String headers = "#include <algorithm>\n#include <thread>\n#include <unordered_map>\n#include <map>\n"
                + "#include <memory>\n#include <atomic>\n#include <string>\n#include <sys/types.h>\n"
                + "#include <sys/stat.h>\n#include <fcntl.h>\n";
        Files.writeString(src.resolve("dispatcher.cc"), headers
                + "float share(float jobs, float speed) { return roundf(jobs / speed); }\n");
        Files.writeString(src.resolve("build-remote.cc"), headers
                + "float backoff(int n) { return powf(2, n); }\nint main() { return 0; }\n");
        Files.writeString(top.resolve("src/Makefile"), """
                all: hydra-queue-runner/hydra-queue-runner
                hydra-queue-runner/hydra-queue-runner: hydra-queue-runner/dispatcher.cc hydra-queue-runner/build-remote.cc
                \tg++ -std=c++11 -o $@ $^
                install: all
                \tmkdir -p $(R)/usr/local/bin
                \tcp hydra-queue-runner/hydra-queue-runner $(R)/usr/local/bin/
                """);
        Path tarball = root.resolve("var/cache/hydra-firstboot/src/hydra.tar.gz");
        Files.createDirectories(tarball.getParent());
        assertEquals(0, run(List.of("tar", "-C", tmp.resolve("tree").toString(), "-czf", tarball.toString(),
                "hydra-993647d"), Map.of()).rc);
        // Nix's nix-hash is not what this test is about: a stand-in answers the expected NAR hash.
        script(root.resolve("usr/local/bin/nix-hash"), "#!/bin/sh\necho 0000\n");
        config("HYDRA_SOURCE='/var/cache/hydra-firstboot/src/hydra.tar.gz'\nHYDRA_NAR_HASH_BASE32='0000'\n");
        String stage = Files.readString(Path.of("firstboot/stages/07-build-hydra.sh"));

        Files.writeString(lib.resolve("stages/07-build-hydra.sh"), unfixed(stage, "sed -i '1i #include <cmath>'"));
        Result without = stage("07-build-hydra");
        assertNotEquals(0, without.rc, without.out);
        // gcc quotes the name with ' or with ‘’, as the locale says.
        assertTrue(without.out.matches("(?s).*dispatcher\\.cc:.*roundf.{1,3} was not declared in this scope.*"), without.out);
        assertTrue(without.out.matches("(?s).*build-remote\\.cc:.*powf.{1,3} was not declared in this scope.*"), without.out);

        Files.writeString(lib.resolve("stages/07-build-hydra.sh"), stage);
        Result with = stage("07-build-hydra");
        assertEquals(0, with.rc, with.out);
        assertTrue(Files.isExecutable(root.resolve("usr/local/bin/hydra-queue-runner")), with.out);
        // The tarball itself stays pristine: only the unpacked tree is patched.
        assertEquals(0, run(List.of("sh", "-c", "tar -xOzf " + tarball + " hydra-993647d/src/hydra-queue-runner/"
                + "dispatcher.cc | head -n 1 | grep -qx '#include <algorithm>'"), Map.of()).rc);
    }

    /** The stage as it would be without one fix: the command starting at {@code marker} never runs. */
    private static String unfixed(String stage, String marker) {
        int at = stage.indexOf(marker);
        assertTrue(at >= 0, "the fix '" + marker + "' is not in the stage any more");
        return stage.substring(0, at) + "true || " + stage.substring(at);
    }

    private void config(String extra) throws IOException {
        Path c = root.resolve("etc/hydra-firstboot/config.env");
        Files.createDirectories(c.getParent());
        Files.writeString(c, "PIN='legacy-2016'\nHYDRA_REV='993647d1e3b43f1f9b7dc2ebce889b475d156bb9'\n"
                + "NIX_VERSION='1.11.16'\n" + extra);
    }

    private Result stage(String name) throws Exception {
        deleteTree(root.resolve("var/cache/hydra-firstboot/build"));
        return run(List.of("bash", lib.resolve("stages/" + name + ".sh").toString()), Map.of(
                "HYDRA_FIRSTBOOT_ROOT", root.toString(), "PATH", tmp.resolve("bin") + ":" + System.getenv("PATH")));
    }

    private static void script(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        p.toFile().setExecutable(true);
    }

    private static String sha256(Path f) throws Exception {
        return run(List.of("sha256sum", f.toString()), Map.of()).out.strip().split("\\s+")[0];
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    record Result(int rc, String out) {
    }

    private static Result run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
