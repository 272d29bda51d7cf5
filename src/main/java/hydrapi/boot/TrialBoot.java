// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.CorruptImageException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.build.BaseImage;
import hydrapi.build.ImageView;
import hydrapi.build.ProgressListener;
import hydrapi.build.SparseCopy;
import hydrapi.xz.XzDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code hydrapi try}: boots an image under QEMU on a throw-away raw copy, shows its console, stops it when first
 * boot reaches an end (or at the timeout) with a clean power-down, and reads where first boot stands from the
 * powered-off disk. The image itself is only read.
 */
public final class TrialBoot {

    /** What the user asked. {@code powerCutAt}: kill QEMU hard the first time the console shows this text. */
    public record Request(Path image, Duration timeout, Path kernelDeb, boolean userNetwork, boolean keep,
                          String powerCutAt, Path tmpDir, int memoryMiB, Duration grace) {
    }

    /**
     * What happened. {@code report} is empty only when the disk could not be read after the boot
     * ({@code reportProblem} says why); {@code keptDisk} is set with --keep and after a power cut.
     */
    public record Outcome(Ending ending, boolean cleanPowerOff, Optional<FirstbootReport> report,
                          String reportProblem, Optional<Path> keptDisk, GuestArch arch, boolean kvm) {
    }

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
        try (BaseImage base = BaseImage.open(r.image(), r.tmpDir(), progress, 1, true, false)) {
            if (base.format() == BaseImage.Format.ZIP) {
                throw new InvalidInputException(r.image() + ": try boots a raw .img or an .img.xz; unzip it first");
            }
            guest = GuestImage.read(ImageView.open(base.device(), r.image().getFileName().toString()));
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
            BootKernel.Extracted files = plan.prepare(disk, work);
            String append = KernelCmdline.forQemu(guest.cmdlineTxt(), guest.arch());
            Path qmp = Files.createTempDirectory(r.tmpDir(), "hydrapi-qmp-").resolve("qmp.sock");
            QemuCommand cmd = new QemuCommand(guest.arch(), qemu, kvm, Math.min(2, host.cpus()), r.memoryMiB(),
                    files.kernel(), files.initrd(), append, disk, qmp, r.userNetwork());
            log.println("hydrapi try: " + (kvm ? "KVM" : "TCG") + ", kernel command line: " + append);
            log.println("hydrapi try: network: " + (r.userNetwork() ? "QEMU user networking (NAT)" : "none"));
            log.flush();

            Ending ending;
            boolean clean;
            ConsoleWatch watch = new ConsoleWatch(console, terminal, guest.firstbootFinished(), r.powerCutAt());
            try (QemuProcess q = QemuProcess.start(cmd.toList(), qmp, watch)) {
                ending = q.await(r.timeout());
                if (ending == Ending.POWER_CUT) {
                    clean = false;
                    keepDisk = true;
                } else {
                    clean = q.powerDown(r.grace());
                }
                q.close();
                if (ending == Ending.EXITED && q.exitValue() != 0 && !q.errors().isEmpty()) {
                    throw new IOException(guest.arch().qemuBinary + " failed (exit " + q.exitValue() + "): "
                            + firstLine(q.errors()));
                }
            } finally {
                deleteTree(qmp.getParent());
                Files.deleteIfExists(files.kernel());
                Files.deleteIfExists(files.initrd());
            }

            Optional<FirstbootReport> report = Optional.empty();
            String problem = null;
            try {
                report = FirstbootReport.read(disk);
                if (report.isEmpty()) {
                    problem = "the root filesystem's journal needs recovery (no clean shutdown); "
                            + (keepDisk ? "the next boot of the kept disk replays it and shows first boot's state"
                            : "boot with --keep, then boot the kept disk again to see first boot's state");
                }
            } catch (CorruptImageException | UnsupportedImageException | InvalidInputException e) {
                problem = e.getMessage();
            }
            return new Outcome(ending, clean, report, problem, keepDisk ? Optional.of(disk) : Optional.empty(),
                    guest.arch(), kvm);
        } finally {
            if (!keepDisk) {
                deleteTree(work);
            }
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
