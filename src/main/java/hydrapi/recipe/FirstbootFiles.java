// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The static files shipped in the jar (from the checkout's firstboot/ and overlays/hydra/) and where and with which
 * mode they go (hydra-first-boot.md §8). Modes come from this table, never from the checkout.
 */
final class FirstbootFiles {

    /**
     * One classpath resource under /hydrapi/, its path on the Pi, its mode, whether only the modern pin has it and
     * whether only a Hydra server (not a fleet's builder, which installs Nix alone) has it.
     */
    record Entry(String resource, String target, int mode, boolean modernOnly, boolean serverOnly) {
    }

    static final String LIB_DIR = "/usr/local/lib/hydra-firstboot";

    /** The stages, in the order the runner takes them: the NN-name.sh files of firstboot/stages, as the jar has them. */
    static final List<String> STAGES = stages();

    static final List<Entry> ENTRIES = entries();

    private FirstbootFiles() {
    }

    private static List<Entry> entries() {
        List<Entry> e = new ArrayList<>();
        // Every stage goes everywhere: each says which role runs it (firstboot/run, "role").
        e.add(new Entry("firstboot/run", LIB_DIR + "/run", 0755, false, false));
        e.add(new Entry("firstboot/lib.sh", LIB_DIR + "/lib.sh", 0644, false, false));
        e.add(new Entry("firstboot/hydra-prestart", LIB_DIR + "/hydra-prestart", 0755, false, true));
        for (String s : STAGES) {
            e.add(new Entry("firstboot/stages/" + s + ".sh", LIB_DIR + "/stages/" + s + ".sh", 0755, false, false));
        }
        // Stage 02's package sets, one per pin and role, and the Perl modules the legacy set must provide.
        for (String list : List.of("legacy-2016.apt", "legacy-2016.perl", "modern.apt", "legacy-2016-builder.apt",
                "modern-builder.apt")) {
            e.add(new Entry("firstboot/packages/" + list, LIB_DIR + "/packages/" + list, 0644, false, false));
        }
        overlay(e, "etc/systemd/system/hydra-firstboot.service", 0644, false, false);
        for (String unit : List.of("hydra-init", "hydra-server", "hydra-evaluator", "hydra-queue-runner")) {
            overlay(e, "etc/systemd/system/" + unit + ".service", 0644, false, true);
        }
        overlay(e, "etc/systemd/system/hydra-notify.service", 0644, true, true);
        for (String timer : List.of("hydra-update-gc-roots", "hydra-compress-logs")) {
            overlay(e, "etc/systemd/system/" + timer + ".service", 0644, false, true);
            overlay(e, "etc/systemd/system/" + timer + ".timer", 0644, false, true);
        }
        overlay(e, "usr/lib/systemd/system-preset/50-hydra-firstboot.preset", 0644, false, false);
        overlay(e, "etc/profile.d/hydra.sh", 0644, false, true);
        overlay(e, "etc/apt/apt.conf.d/80hydra-firstboot", 0644, false, false);
        overlay(e, "etc/update-motd.d/60-hydra-firstboot", 0755, false, false);
        overlay(e, "etc/hydra/hydra.conf.in", 0644, false, true);
        return List.copyOf(e);
    }

    private static void overlay(List<Entry> e, String path, int mode, boolean modernOnly, boolean serverOnly) {
        e.add(new Entry("overlays/hydra/" + path, "/" + path, mode, modernOnly, serverOnly));
    }

    /** One list of stages: the directory's, read where the classes are (a directory in tests, the jar when run). */
    private static List<String> stages() {
        try {
            URI dir = FirstbootFiles.class.getResource("/hydrapi/firstboot/stages/").toURI();
            List<String> names = new ArrayList<>();
            if (dir.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(dir, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(dir);
                }
                list(fs.getPath("/hydrapi/firstboot/stages"), names);
            } else {
                list(Path.of(dir), names);
            }
            names.sort(null);
            if (names.isEmpty()) {
                throw new IllegalStateException("no stages under /hydrapi/firstboot/stages in " + dir);
            }
            return List.copyOf(names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("the first-boot stages are missing from the classpath", e);
        }
    }

    private static void list(Path dir, List<String> names) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d\\d-[a-z0-9-]+\\.sh"))
                    .forEach(n -> names.add(n.substring(0, n.length() - 3)));
        }
    }

    /** The resource's bytes; a missing one is a packaging bug. */
    static byte[] read(String resource) {
        try (InputStream in = FirstbootFiles.class.getResourceAsStream("/hydrapi/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("resource /hydrapi/" + resource + " missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
