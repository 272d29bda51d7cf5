// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.image.BaseImage;
import hydrapi.image.ImageView;
import hydrapi.image.SparseCopy;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.ProgressListener;
import hydrapi.xz.XzDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code hydrapi try}: boots an image under QEMU on a throw-away raw copy grown to a card's size, shows its console,
 * boots it again when the guest restarts itself (as Raspberry Pi OS bookworm does after growing its root), stops it
 * when first boot reaches an end (or at the timeout) with a clean power-down, and reads where first boot stands and
 * how big the root became from the powered-off disk. The image itself is only read.
 */
public final class TrialBoot {

    /** The inputs messages name ({@link HydrapiException#mention}): a Debian kernel to boot, keeping the disk. */
    public static final String KERNEL_PACKAGE = "kernel package";
    public static final String KEEP = "keep";

    /**
     * What the user asked. {@code powerCutAt}: kill QEMU hard the first time the console shows this text.
     * {@code cardBytes}: the size the disk copy is grown to, as a card of that size would be; when not
     * {@code cardSizeGiven}, a default that a larger image keeps its own size against.
     */
    public record Request(Path image, Duration timeout, Path kernelDeb, boolean userNetwork, boolean keep,
                          String powerCutAt, Path tmpDir, int memoryMiB, Duration grace, long cardBytes,
                          boolean cardSizeGiven) {
    }

    /**
     * What happened. {@code report} is empty only when the disk could not be read after the boot
     * ({@code reportProblem} says why); {@code keptDisk} is set with --keep and after a power cut. {@code diskBytes}
     * is the card-sized disk booted; {@code rootBefore} and {@code rootAfter} the root as the image had it and as
     * the guest left it; {@code boots} how many times QEMU started (a Raspberry Pi OS bookworm first boot reboots
     * once).
     */
    public record Outcome(Ending ending, boolean cleanPowerOff, Optional<FirstbootReport> report,
                          String reportProblem, Optional<Path> keptDisk, GuestArch arch, boolean kvm, long diskBytes,
                          Optional<RootSize> rootBefore, Optional<RootSize> rootAfter, int boots) {
    }

    /** Reboots followed before try gives up: bookworm's sys-mods firstboot reboots once; a loop would never end. */
    static final int MAX_BOOTS = 3;

    private final Request request;
    private final OutputStream console;
    private final boolean terminal;
    private final PrintWriter log;
    private final Host host;

    public TrialBoot(Request request, OutputStream console, boolean terminal, PrintWriter log, Host host) {
        this.request = request;
        this.console = console;
        this.terminal = terminal;
        this.log = log;
        this.host = host;
    }

    public Outcome run(ProgressListener progress) throws IOException, InterruptedException {
        Request r = request;
        GuestImage guest;
        // Everything that can be refused is refused before the (long) decode: arch, QEMU, kernel.
        long imageBytes;
        try (BaseImage base = BaseImage.open(r.image(), r.tmpDir(), progress, 1, true, false)) {
            if (base.format() == BaseImage.Format.ZIP) {
                throw new InvalidInputException(r.image() + ": try boots a raw .img or an .img.xz; unzip it first");
            }
            guest = GuestImage.read(ImageView.open(base.device(), r.image().getFileName().toString()));
            imageBytes = base.device().sizeBytes();
        }
        long diskBytes = Math.max(imageBytes, r.cardBytes());
        if (r.cardSizeGiven() && r.cardBytes() < imageBytes) {
            throw new InvalidInputException(r.image().getFileName() + " is a disk of " + imageBytes + " bytes ("
                    + RootSize.gb(imageBytes) + "), larger than a card of " + r.cardBytes() + " bytes ("
                    + RootSize.gb(r.cardBytes()) + ")");
        }
        Path qemu = host.qemu(guest.arch());
        BootKernel.Plan plan = BootKernel.plan(guest, r.kernelDeb());
        boolean kvm = host.kvmFor(guest.arch());
        if (!kvm) {
            log.println("hydrapi try: warning: no KVM (" + host.noKvmReason(guest.arch())
                    + "); emulating the CPU (TCG), which is many times slower");
        }

        Path work = workDir(r);
        Path disk = work.resolve("disk.img");
        boolean keepDisk = r.keep();
        try {
            log.println("hydrapi try: decoding " + r.image().getFileName() + " to a sparse copy " + disk);
            log.flush();
            copyDisk(r.image(), disk, progress);
            if (diskBytes > imageBytes) {
                // Only the file grows, as the image grows when flashed to a larger card: partition and filesystem are
                // the guest's own first boot's to grow.
                try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
                    f.setLength(diskBytes);
                }
                log.println("hydrapi try: the disk is a " + RootSize.gb(diskBytes) + " card (" + diskBytes
                        + " bytes); the image's " + RootSize.gb(imageBytes) + " are at its start, the rest is empty");
            }
            BootKernel.Extracted files = plan.prepare(disk, work);
            log.println("hydrapi try: network: " + (r.userNetwork() ? "QEMU user networking (NAT)" : "none"));

            Ending ending;
            boolean clean;
            int boots = 0;
            long deadline = System.nanoTime() + r.timeout().toNanos();
            String cmdlineTxt = guest.cmdlineTxt();
            try {
                while (true) {
                    boots++;
                    String append = KernelCmdline.forQemu(cmdlineTxt, guest.arch());
                    log.println("hydrapi try: boot " + boots + ", " + (kvm ? "KVM" : "TCG") + ", kernel command line: "
                            + append);
                    log.flush();
                    ConsoleWatch watch = new ConsoleWatch(console, terminal, guest.firstbootFinished(),
                            r.powerCutAt());
                    QemuCommand cmd = new QemuCommand(guest.arch(), qemu, kvm, Math.min(2, host.cpus()),
                            r.memoryMiB(), files.kernel(), files.initrd(), append, disk, null, r.userNetwork());
                    Boot b = bootOnce(cmd, watch, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    ending = b.ending;
                    clean = b.clean;
                    if (ending == Ending.POWER_CUT) {
                        keepDisk = true;
                    }
                    if (ending != Ending.EXITED || !watch.restarted()) {
                        break;
                    }
                    if (boots == MAX_BOOTS) {
                        log.println("hydrapi try: the guest restarted " + boots + " times; not booting it again");
                        break;
                    }
                    // As a Pi's firmware does: the next boot reads cmdline.txt again (bookworm's firstboot has taken
                    // its init= out and given the disk a new identifier).
                    cmdlineTxt = cmdline(disk);
                    log.println("hydrapi try: the guest restarted itself (as Raspberry Pi OS bookworm does once after"
                            + " growing its root); booting the disk again");
                }
            } finally {
                Files.deleteIfExists(files.kernel());
                Files.deleteIfExists(files.initrd());
            }

            Optional<RootSize> rootAfter = Optional.empty();
            try {
                rootAfter = RootSize.read(disk);
            } catch (CorruptImageException | UnsupportedImageException | InvalidInputException e) {
                log.println("hydrapi try: the root's size after the boot could not be read: " + e.getMessage());
            }
            Optional<FirstbootReport> report = Optional.empty();
            String problem = null;
            try {
                report = FirstbootReport.read(disk);
                if (report.isEmpty()) {
                    problem = "the root filesystem's journal needs recovery (no clean shutdown); "
                            + (keepDisk ? "the next boot of the kept disk replays it and shows first boot's state"
                            : "boot with " + HydrapiException.mention(KEEP) + ", then boot the kept disk again to see"
                            + " first boot's state");
                }
            } catch (CorruptImageException | UnsupportedImageException | InvalidInputException e) {
                problem = e.getMessage();
            }
            return new Outcome(ending, clean, report, problem, keepDisk ? Optional.of(disk) : Optional.empty(),
                    guest.arch(), kvm, diskBytes, guest.root(), rootAfter, boots);
        } finally {
            if (!keepDisk) {
                deleteTree(work);
            }
        }
    }

    private record Boot(Ending ending, boolean clean) {
    }

    /** One QEMU run until an ending, then a clean power-down (not after a power cut or when QEMU is gone). */
    private Boot bootOnce(QemuCommand command, ConsoleWatch watch, Duration timeout)
            throws IOException, InterruptedException {
        Path qmp = Files.createTempDirectory(request.tmpDir(), "hydrapi-qmp-").resolve("qmp.sock");
        QemuCommand cmd = command.withQmpSocket(qmp);
        try (QemuProcess q = QemuProcess.start(cmd.toList(), qmp, watch)) {
            Ending ending = q.await(timeout);
            boolean clean = ending != Ending.POWER_CUT && q.powerDown(request.grace());
            q.close();
            if (ending == Ending.EXITED && q.exitValue() != 0 && !q.errors().isEmpty()) {
                throw new IOException(command.arch().qemuBinary + " failed (exit " + q.exitValue() + "): "
                        + firstLine(q.errors()));
            }
            return new Boot(ending, clean);
        } finally {
            deleteTree(qmp.getParent());
        }
    }

    /** cmdline.txt as the guest left it on its boot partition. */
    private static String cmdline(Path disk) throws IOException {
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(disk)) {
            return GuestImage.read(ImageView.open(dev, disk.getFileName().toString())).cmdlineTxt();
        }
    }

    /** Next to the image when its directory is writable (same filesystem, room for it), else the temp directory. */
    private static Path workDir(Request r) throws IOException {
        Path dir = r.image().toAbsolutePath().getParent();
        if (dir == null || !Files.isWritable(dir)) {
            dir = r.tmpDir();
        }
        return Files.createTempDirectory(dir, "hydrapi-try-");
    }

    private static void copyDisk(Path image, Path disk, ProgressListener progress) throws IOException {
        if (BaseImage.sniff(image) == BaseImage.Format.XZ) {
            XzDecoder.decodeToSparseFile(image, disk, progress.phase("decode " + image.getFileName(), 0));
            return;
        }
        Files.createFile(disk);
        try (InputStream in = Files.newInputStream(image)) {
            SparseCopy.copy(in, disk, progress.phase("copy " + image.getFileName(), Files.size(image)));
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
