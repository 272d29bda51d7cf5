// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.fat.FatVolume;
import hydrapi.image.ImageView;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The applier on the sample base (testdata/make-sample.sh: FAT32 boot partition 1 at /boot/firmware, ext4 root
 * partition 2, /bin a symlink to usr/bin, the accounts root(0), daemon(1), sys(3), sshd(100) and the groups adm(4),
 * shadow(42)), judged by reading the written disk back with a fresh {@link ImageView}.
 */
class PlanApplierTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    static Path tmp;
    private static Path raw;

    @BeforeAll
    static void decodeSample() throws IOException {
        raw = Samples.sampleRaw(tmp);
    }

    @Test
    void apply_writesAccountFilesFirst_soARuleNamesAUserTheSamePlanAdds() throws IOException {
        Map<String, OverlayManifest.Rule> rules = Map.of("/app/secret",
                new OverlayManifest.Rule("/app/secret", 0600, "hydra", "hydra", "manifest:1"));
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, rules);
            // Sorted, /app/secret comes before the account files; its rule can only resolve once they are written.
            applier.apply(ImagePlan.of(List.of(
                    FileSpec.file("/app/secret", 0644, bytes("s3cret\n")),
                    FileSpec.file("/etc/passwd", 0644, append("hydra:x:1234:1235::/var/lib/hydra:/bin/sh\n")),
                    FileSpec.file("/etc/group", 0644, append("hydra:x:1235:\n")))));
            applier.flush();

            assertEquals(List.of("/etc/group edited", "/etc/passwd edited", "/app/secret created"),
                    actions(applier));
            assertAttributes(img.ext4().stat("/app/secret").orElseThrow(), 0600, 1234, 1235);
            assertEquals(new BuildManifest.Entry("/app/secret", BuildManifest.Kind.FILE, sha("s3cret\n"), 0600, 1234,
                    1235), written(applier).get("/app/secret"));
        }
    }

    static Stream<Arguments> refusals() {
        OverlayManifest.Rule onFat = new OverlayManifest.Rule("/boot/firmware/config.txt", 0600, null, null, "m:2");
        OverlayManifest.Rule missing = new OverlayManifest.Rule("/etc/nothing", 0600, null, null, "m:3");
        return Stream.of(
                Arguments.of("symlink parent", FileSpec.file("/bin/tool", 0755, bytes("x")), Map.of(),
                        "/bin/tool: /bin is a symlink in the image (-> usr/bin); hydrapi never writes through"
                                + " symlinks, give the real path"),
                Arguments.of("file parent on FAT", FileSpec.file("/boot/firmware/config.txt/x", 0644, bytes("x")),
                        Map.of(), "/boot/firmware/config.txt/x: /config.txt is a file in the image, not a directory"),
                Arguments.of("file in the way", FileSpec.directory("/etc/hostname", 0755), Map.of(),
                        "/etc/hostname: a file of that name is in the way of a directory"),
                Arguments.of("directory in the way on FAT", FileSpec.file("/boot/firmware/overlays", 0644, bytes("x")),
                        Map.of(), "/boot/firmware/overlays: a directory of that name is in the way of a file"),
                Arguments.of("directory in the way of a symlink", FileSpec.symlink("/etc/ssh", "/srv"), Map.of(),
                        "/etc/ssh: a directory of that name is in the way of a symlink"),
                Arguments.of("symlink on FAT", FileSpec.symlink("/boot/firmware/link", "config.txt"), Map.of(),
                        "/boot/firmware/link: a symlink cannot be stored on the FAT boot partition; put a regular"
                                + " file there"),
                Arguments.of("edit of a missing file", FileSpec.file("/etc/missing.conf", 0644, append("x=1\n")),
                        Map.of(), "/etc/missing.conf: not in the image, so it cannot be edited (append x=1)"),
                Arguments.of("edit of a symlink", FileSpec.file("/etc/systemd/system/sshd.service", 0644,
                        append("x=1\n")), Map.of(), "/etc/systemd/system/sshd.service: not in the image, so it"
                                + " cannot be edited (append x=1)"),
                Arguments.of("rule alone on FAT", null, Map.of(onFat.path(), onFat),
                        "m:2: /boot/firmware/config.txt is not on an ext4 partition; FAT has no modes or owners"),
                Arguments.of("rule alone for nothing", null, Map.of(missing.path(), missing),
                        "m:3: /etc/nothing is neither in the overlay nor in the image"));
    }

    /**
     * The plan also holds a file on each partition that is applied before the refused one: neither is written, to the
     * disk or to a filesystem's staging overlay (a flush after the refusal writes neither).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void apply_refusedPath_changesNothing(String name, FileSpec refused, Map<String, OverlayManifest.Rule> rules,
            String message) throws IOException {
        List<FileSpec> specs = new ArrayList<>(List.of(FileSpec.file("/aaa/early.txt", 0644, bytes("early\n")),
                FileSpec.file("/boot/firmware/aaa-early.txt", 0644, bytes("early\n"))));
        if (refused != null) {
            specs.add(refused);
        }
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, rules);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> applier.apply(ImagePlan.of(specs)));
            assertEquals(message, e.getMessage());
            assertEquals(List.of(), applier.changes());
            assertEquals(List.of(), applier.written());
            assertEquals(List.of(), img.disk.changedRanges(), "FAT data is written to the disk at once");
            applier.flush();
            assertTrue(img.ext4().stat("/aaa").isEmpty());
            assertTrue(img.fat().stat("/aaa-early.txt").isEmpty());
        }
    }

    @Test
    void apply_editKeepsModeAndOwner_ofTheImagesFileAndOfThePlansOwn() throws IOException {
        try (Image img = new Image()) {
            Ext4Entry shadow = img.view.ext4(2).orElseThrow().stat("/etc/shadow").orElseThrow();
            assertEquals(0640, shadow.mode() & 07777, "the sample's /etc/shadow");
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of());
            applier.apply(ImagePlan.of(List.of(
                    new FileSpec("/etc/app.conf", FileSpec.Type.FILE, 0640, 3, 4, bytes("a=1\n"), null),
                    FileSpec.file("/etc/app.conf", 0755, append("b=2\n")),
                    FileSpec.file("/etc/shadow", 0600, append("hydra:!:19700::::::\n")))));
            applier.flush();

            assertEquals(List.of("/etc/shadow edited", "/etc/app.conf created", "/etc/app.conf edited"),
                    actions(applier));
            Ext4Volume root = img.ext4();
            assertAttributes(root.stat("/etc/app.conf").orElseThrow(), 0640, 3, 4);
            assertEquals("a=1\nb=2\n", new String(root.readFile("/etc/app.conf"), StandardCharsets.UTF_8));
            assertAttributes(root.stat("/etc/shadow").orElseThrow(), 0640, shadow.uid(), shadow.gid());
            assertEquals(new BuildManifest.Entry("/etc/app.conf", BuildManifest.Kind.FILE, sha("a=1\nb=2\n"), 0640, 3,
                    4), written(applier).get("/etc/app.conf"));
        }
    }

    @Test
    void apply_rulesOverrideModeAndOwner_ofCreatedEditedExistingAndUnplannedPaths() throws IOException {
        Map<String, OverlayManifest.Rule> rules = new TreeMap<>();
        for (OverlayManifest.Rule r : List.of(
                new OverlayManifest.Rule("/etc/r.conf", 0600, "sshd", "shadow", "m:1"),
                new OverlayManifest.Rule("/etc/hostname", null, "daemon", null, "m:2"),
                new OverlayManifest.Rule("/etc/ssh", 0700, null, null, "m:3"),
                new OverlayManifest.Rule("/etc/hosts", 0600, "sys", "adm", "m:4"))) {
            rules.put(r.path(), r);
        }
        try (Image img = new Image()) {
            Ext4Entry hostname = img.view.ext4(2).orElseThrow().stat("/etc/hostname").orElseThrow();
            Ext4Entry doc = img.view.ext4(2).orElseThrow().stat("/usr/share/doc").orElseThrow();
            PlanApplier applier = new PlanApplier(img.view, NOW, rules);
            applier.apply(ImagePlan.of(List.of(
                    FileSpec.file("/etc/r.conf", 0644, bytes("r\n")),
                    FileSpec.file("/etc/hostname", 0600, append("hydra\n")),
                    FileSpec.directory("/etc/ssh", 0755),
                    FileSpec.directory("/usr/share/doc", 0700))));
            applier.flush();

            assertEquals(List.of("/etc/hostname edited", "/etc/r.conf created", "/etc/ssh attributes",
                    "/etc/hosts attributes"), actions(applier));
            Ext4Volume root = img.ext4();
            assertAttributes(root.stat("/etc/r.conf").orElseThrow(), 0600, 100, 42);
            assertAttributes(root.stat("/etc/hostname").orElseThrow(), hostname.mode() & 07777, 1, hostname.gid());
            assertAttributes(root.stat("/etc/ssh").orElseThrow(), 0700, 0, 0);
            assertAttributes(root.stat("/etc/hosts").orElseThrow(), 0600, 3, 4);
            // An existing directory without a rule is only where files go: left as it is, and not recorded.
            assertAttributes(root.stat("/usr/share/doc").orElseThrow(), doc.mode() & 07777, doc.uid(), doc.gid());
            Map<String, BuildManifest.Entry> written = written(applier);
            assertEquals(List.of("/etc/hostname", "/etc/hosts", "/etc/r.conf", "/etc/ssh"),
                    List.copyOf(written.keySet()));
            assertEquals(new BuildManifest.Entry("/etc/hosts", BuildManifest.Kind.FILE,
                    Sha256Sums.hex(root.readFile("/etc/hosts")), 0600, 3, 4), written.get("/etc/hosts"));
        }
    }

    @Test
    void apply_createsMissingParents0755RootRoot_andRecordsThem() throws IOException {
        Path host = tmp.resolve("c.txt");
        Files.writeString(host, "from the host\n");
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of());
            applier.apply(ImagePlan.of(List.of(new FileSpec("/opt/a/b/c.txt", FileSpec.Type.FILE, 0600, 3, 4,
                    new Content.HostFile(host), null))));
            applier.flush();

            assertEquals(List.of("/opt/a/b/c.txt created"), actions(applier));
            Ext4Volume root = img.ext4();
            for (String d : List.of("/opt", "/opt/a", "/opt/a/b")) {
                Ext4Entry e = root.stat(d).orElseThrow();
                assertTrue(e.isDirectory(), d);
                assertAttributes(e, 0755, 0, 0);
            }
            assertAttributes(root.stat("/opt/a/b/c.txt").orElseThrow(), 0600, 3, 4);
            assertEquals(Map.of(
                    "/opt", dir("/opt"), "/opt/a", dir("/opt/a"), "/opt/a/b", dir("/opt/a/b"),
                    "/opt/a/b/c.txt", new BuildManifest.Entry("/opt/a/b/c.txt", BuildManifest.Kind.FILE,
                            sha("from the host\n"), 0600, 3, 4)), written(applier));
        }
    }

    @Test
    void apply_recordsFatPathsAs0755RootRoot_whateverTheSpecAsks() throws IOException {
        Path host = tmp.resolve("x.txt");
        Files.writeString(host, "boot file\n");
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of());
            applier.apply(ImagePlan.of(List.of(
                    new FileSpec("/boot/firmware/extra/sub/x.txt", FileSpec.Type.FILE, 0600, 3, 4,
                            new Content.HostFile(host), null),
                    new FileSpec("/boot/firmware/newdir", FileSpec.Type.DIRECTORY, 0700, 5, 5, null, null),
                    FileSpec.file("/boot/firmware/NEW.TXT", 0600, bytes("a\n")),
                    // FAT names match without case: the edit finds the file the plan wrote just before.
                    FileSpec.file("/boot/firmware/new.txt", 0600, append("b\n")))));
            applier.flush();

            assertEquals(List.of("/boot/firmware/NEW.TXT created", "/boot/firmware/extra/sub/x.txt created",
                    "/boot/firmware/new.txt edited", "/boot/firmware/newdir mkdir"), actions(applier));
            FatVolume boot = img.fat();
            assertArrayEquals("boot file\n".getBytes(StandardCharsets.UTF_8), boot.readFile("/extra/sub/x.txt"));
            assertArrayEquals("a\nb\n".getBytes(StandardCharsets.UTF_8), boot.readFile("/new.txt"));
            assertTrue(boot.stat("/newdir").orElseThrow().directory());
            Map<String, BuildManifest.Entry> written = written(applier);
            assertEquals(dir("/boot/firmware/extra"), written.get("/boot/firmware/extra"));
            assertEquals(dir("/boot/firmware/extra/sub"), written.get("/boot/firmware/extra/sub"));
            assertEquals(dir("/boot/firmware/newdir"), written.get("/boot/firmware/newdir"));
            assertEquals(new BuildManifest.Entry("/boot/firmware/extra/sub/x.txt", BuildManifest.Kind.FILE,
                    sha("boot file\n"), 0755, 0, 0), written.get("/boot/firmware/extra/sub/x.txt"));
            assertEquals(new BuildManifest.Entry("/boot/firmware/new.txt", BuildManifest.Kind.FILE, sha("a\nb\n"),
                    0755, 0, 0), written.get("/boot/firmware/new.txt"));
        }
    }

    @Test
    void apply_namesSymlinkChanges_andRecordsThem0777() throws IOException {
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of());
            applier.apply(ImagePlan.of(List.of(
                    new FileSpec("/etc/newlink", FileSpec.Type.SYMLINK, 0777, 3, 4, null, "hostname"),
                    FileSpec.symlink("/etc/systemd/system/sshd.service", "/dev/null"))));
            applier.flush();

            assertEquals(List.of("/etc/newlink symlink", "/etc/systemd/system/sshd.service replaced"),
                    actions(applier));
            assertEquals(List.of(8L, 9L), applier.changes().stream().map(BuildResult.Change::sizeBytes).toList());
            Ext4Volume root = img.ext4();
            assertEquals("hostname", root.readLink("/etc/newlink"));
            assertEquals("/dev/null", root.readLink("/etc/systemd/system/sshd.service"));
            assertEquals(new BuildManifest.Entry("/etc/newlink", BuildManifest.Kind.SYMLINK, sha("hostname"), 0777, 3,
                    4), written(applier).get("/etc/newlink"));
        }
    }

    @Test
    void writeManifest_writesTheFileAndItsParents_butRecordsNeither() throws IOException {
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of());
            applier.apply(ImagePlan.of(List.of(FileSpec.file("/etc/one.txt", 0644, bytes("1\n")))));
            List<BuildManifest.Entry> before = applier.written();
            applier.writeManifest(FileSpec.file("/var/lib/hydrapi-test/manifest.json", 0644, bytes("{}\n")));
            applier.flush();

            assertEquals(before, applier.written());
            assertEquals(List.of("/etc/one.txt"), List.copyOf(written(applier).keySet()));
            assertEquals(List.of("/etc/one.txt created", "/var/lib/hydrapi-test/manifest.json created"),
                    actions(applier));
            Ext4Volume root = img.ext4();
            assertAttributes(root.stat("/var/lib/hydrapi-test").orElseThrow(), 0755, 0, 0);
            assertEquals("{}\n", new String(root.readFile("/var/lib/hydrapi-test/manifest.json"),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void writeManifest_refusesAPathThroughASymlink_thePlanItselfMade() throws IOException {
        try (Image img = new Image()) {
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of());
            applier.apply(ImagePlan.of(List.of(FileSpec.symlink("/var/lib/hydrapi-test", "/srv"))));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> applier.writeManifest(
                    FileSpec.file("/var/lib/hydrapi-test/manifest.json", 0644, bytes("{}\n"))));
            assertEquals("/var/lib/hydrapi-test/manifest.json: /var/lib/hydrapi-test is a symlink in the image (->"
                    + " /srv); hydrapi never writes through symlinks, give the real path", e.getMessage());
        }
    }

    /** The build manifest has no kind for a special file: a rule for one is refused before anything is written. */
    @Test
    void apply_refusesARuleAlone_forAFifo(@TempDir Path dir) throws IOException {
        Path withFifo = dir.resolve("fifo.img");
        Files.copy(raw, withFifo);
        // debugfs's mknod takes a name in its working directory, not a path.
        Path commands = Files.writeString(dir.resolve("mknod.cmd"), "cd /etc\nmknod initctl p\n");
        Oracles.check("debugfs", "-w", "-f", commands.toString(), withFifo + "?offset=" + Samples.ROOT_OFFSET);
        OverlayManifest.Rule r = new OverlayManifest.Rule("/etc/initctl", 0600, null, null, "m:1");
        try (Image img = new Image(withFifo)) {
            PlanApplier applier = new PlanApplier(img.view, NOW, Map.of(r.path(), r));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> applier.apply(ImagePlan.of(List.of(FileSpec.file("/etc/a.txt", 0644, bytes("a\n"))))));
            assertEquals("m:1: /etc/initctl is a device, FIFO or socket; the build manifest records files,"
                    + " directories and symlinks only, so remove the rule", e.getMessage());
            assertEquals(List.of(), applier.changes());
        }
    }

    /** The sample decoded once, under a copy-on-write overlay of each test's own. */
    private static final class Image implements AutoCloseable {
        final OverlayDevice disk;
        final ImageView view;

        Image() throws IOException {
            this(raw);
        }

        Image(Path image) throws IOException {
            disk = new OverlayDevice(FileBlockDevice.openReadOnly(image));
            view = ImageView.open(disk, "sample");
        }

        /** The root as a fresh reader sees the disk now (after the applier's flush). */
        Ext4Volume ext4() throws IOException {
            return ImageView.open(disk, "sample").ext4(2).orElseThrow();
        }

        /** The boot partition as a fresh reader sees the disk now. */
        FatVolume fat() throws IOException {
            return ImageView.open(disk, "sample").fat(1).orElseThrow();
        }

        @Override
        public void close() throws IOException {
            disk.close();
        }
    }

    private static void assertAttributes(Ext4Entry e, int mode, int uid, int gid) {
        assertEquals(List.of(Integer.toOctalString(mode), uid, gid),
                List.of(Integer.toOctalString(e.mode() & 07777), e.uid(), e.gid()), e.name());
    }

    private static List<String> actions(PlanApplier applier) {
        return applier.changes().stream().map(c -> c.path() + " " + c.action()).toList();
    }

    /** By path, sorted. */
    private static Map<String, BuildManifest.Entry> written(PlanApplier applier) {
        Map<String, BuildManifest.Entry> m = new TreeMap<>();
        applier.written().forEach(e -> m.put(e.path(), e));
        return m;
    }

    private static BuildManifest.Entry dir(String path) {
        return new BuildManifest.Entry(path, BuildManifest.Kind.DIRECTORY, null, 0755, 0, 0);
    }

    private static Content.Bytes bytes(String s) {
        return new Content.Bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha(String s) {
        return Sha256Sums.hex(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Content.Edit append(String line) {
        return new Content.Edit("append " + line.strip(), b -> {
            byte[] add = line.getBytes(StandardCharsets.UTF_8);
            byte[] out = java.util.Arrays.copyOf(b, b.length + add.length);
            System.arraycopy(add, 0, out, b.length, add.length);
            return out;
        });
    }
}
