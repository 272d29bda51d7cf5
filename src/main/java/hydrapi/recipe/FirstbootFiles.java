// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The static files shipped in the jar (from the checkout's firstboot/ and overlays/hydra/) and where and with which
 * mode they go (hydra-first-boot.md §8). Modes come from this table, never from the checkout.
 */
final class FirstbootFiles {

    /** One classpath resource under /hydrapi/, its path on the Pi, its mode, and whether only the modern pin has it. */
    record Entry(String resource, String target, int mode, boolean modernOnly) {
    }

    static final String LIB_DIR = "/usr/local/lib/hydra-firstboot";

    static final List<String> STAGES = List.of(
            "00-check-preflight", "01-sync-time", "02-install-packages", "03-add-swap", "04-install-nix",
            "05-create-nix-users", "06-create-hydra-users", "07-build-hydra", "08-setup-postgres",
            "09-prepare-hydra-state", "10-run-hydra-init", "11-create-admin", "12-enable-services",
            "13-create-jobsets", "14-finish-firstboot");

    static final List<Entry> ENTRIES = entries();

    private FirstbootFiles() {
    }

    private static List<Entry> entries() {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry("firstboot/run", LIB_DIR + "/run", 0755, false));
        e.add(new Entry("firstboot/lib.sh", LIB_DIR + "/lib.sh", 0644, false));
        e.add(new Entry("firstboot/hydra-prestart", LIB_DIR + "/hydra-prestart", 0755, false));
        for (String s : STAGES) {
            e.add(new Entry("firstboot/stages/" + s + ".sh", LIB_DIR + "/stages/" + s + ".sh", 0755, false));
        }
        // Stage 02's package sets, one per pin, and the Perl modules the legacy set must provide.
        for (String list : List.of("legacy-2016.apt", "legacy-2016.perl", "modern.apt")) {
            e.add(new Entry("firstboot/packages/" + list, LIB_DIR + "/packages/" + list, 0644, false));
        }
        for (String unit : List.of("hydra-firstboot", "hydra-init", "hydra-server", "hydra-evaluator",
                "hydra-queue-runner")) {
            overlay(e, "etc/systemd/system/" + unit + ".service", 0644, false);
        }
        overlay(e, "etc/systemd/system/hydra-notify.service", 0644, true);
        for (String timer : List.of("hydra-update-gc-roots", "hydra-compress-logs")) {
            overlay(e, "etc/systemd/system/" + timer + ".service", 0644, false);
            overlay(e, "etc/systemd/system/" + timer + ".timer", 0644, false);
        }
        overlay(e, "usr/lib/systemd/system-preset/50-hydra-firstboot.preset", 0644, false);
        overlay(e, "etc/profile.d/hydra.sh", 0644, false);
        overlay(e, "etc/apt/apt.conf.d/80hydra-firstboot", 0644, false);
        overlay(e, "etc/update-motd.d/60-hydra-firstboot", 0755, false);
        overlay(e, "etc/hydra/hydra.conf.in", 0644, false);
        return List.copyOf(e);
    }

    private static void overlay(List<Entry> e, String path, int mode, boolean modernOnly) {
        e.add(new Entry("overlays/hydra/" + path, "/" + path, mode, modernOnly));
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
