// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.VerificationFailedException;
import hydrapi.boot.FirstbootReport;
import hydrapi.boot.Host;
import hydrapi.boot.RootSize;
import hydrapi.boot.TrialBoot;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "try", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Boots IMAGE under QEMU on a throw-away copy, shows its serial console, stops when first boot "
            + "is done, failed, or waits for the network with every other stage done (or at --timeout), powers it "
            + "off cleanly and prints each first-boot stage's state read from the disk.",
            "Exit code 0 only if every stage that can run without the network is done."})
final class TryCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image: .img.xz or raw .img (e.g. a kept disk).")
    Path image;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "Stop (clean power-down) after this long at the latest (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--kernel-deb", paramLabel = "FILE",
            description = "arm64 images: boot this Debian linux-image-*-arm64 package's kernel (Raspberry Pi kernels "
                + "do not boot on QEMU's virt board).")
    Path kernelDeb;

    @Option(names = "--net", paramLabel = "none|user", defaultValue = "none",
            description = "Guest network: none (default) or user (QEMU's NAT to the host's network).")
    String net;

    @Option(names = "--keep", description = "Keep the booted disk copy and print its path (boot it again with try).")
    boolean keep;

    @Option(names = "--power-cut-at", paramLabel = "TEXT",
            description = "Kill QEMU without any shutdown the first time the console shows TEXT (a power cut); "
                + "the disk is kept.")
    String powerCutAt;

    @Option(names = "--memory", paramLabel = "MiB", defaultValue = "2048",
            description = "Guest memory (default: ${DEFAULT-VALUE}).")
    int memoryMiB;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long the guest may take to power off before QEMU is stopped (default: ${DEFAULT-VALUE}).")
    long graceSeconds;

    /** A common card; an image larger than it keeps its own size unless --card-size is given. */
    static final String DEFAULT_CARD = "32G";

    @Option(names = "--card-size", paramLabel = "SIZE",
            description = "Grow the disk copy to a card of this size before boot (the guest's own first boot grows "
                + "its root into it, as on a Pi): 16G or 16GB (decimal, as cards are sold), 14.8GiB, 8000M "
                + "(default: " + DEFAULT_CARD + ").")
    String cardSize;

    @Override
    public Integer call() throws Exception {
        if (!net.equals("none") && !net.equals("user")) {
            throw new InvalidInputException("--net " + net + ": give none or user");
        }
        if (timeoutSeconds <= 0 || memoryMiB < 256 || graceSeconds < 0) {
            throw new InvalidInputException("--timeout must be positive and --memory at least 256 MiB");
        }
        if (powerCutAt != null && powerCutAt.isEmpty()) {
            throw new InvalidInputException("--power-cut-at needs a non-empty TEXT");
        }
        long cardBytes = cardBytes(cardSize == null ? DEFAULT_CARD : cardSize);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The console goes where the summary does not: stdout normally, stderr under --json, nowhere under --quiet.
        OutputStream console = common.quiet ? OutputStream.nullOutputStream()
                : common.json ? main.stderr : main.stdout;
        PrintWriter log = common.quiet ? new PrintWriter(OutputStream.nullOutputStream()) : err;
        TrialBoot.Request req = new TrialBoot.Request(image, Duration.ofSeconds(timeoutSeconds), kernelDeb,
                net.equals("user"), keep, powerCutAt, Context.tmpDir(), memoryMiB, Duration.ofSeconds(graceSeconds),
                cardBytes, cardSize != null);
        TrialBoot.Outcome o;
        try (ProgressScope progress = ProgressScope.open(main, common, spec)) {
            out.flush();
            o = new TrialBoot(req, console, main.terminal && !common.json, log, Host.current(main.env))
                    .run(progress);
        }
        main.stdout.flush();
        if (common.json) {
            out.print(Json.write(json(o)));
        } else if (!common.quiet) {
            printSummary(out, o);
        }
        out.flush();
        String failure = failure(o);
        if (failure != null) {
            throw new VerificationFailedException(failure);
        }
        return ExitCode.OK.code;
    }

    private static final java.util.regex.Pattern SIZE =
            java.util.regex.Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)\\s*(([kmgt])(i?)b?)");

    /**
     * SIZE of --card-size in bytes, rounded down to whole 512-byte sectors. K, M, G and T (with or without B) are
     * decimal, as cards are labelled; KiB, MiB, GiB and TiB binary.
     */
    static long cardBytes(String size) throws InvalidInputException {
        java.util.regex.Matcher m = SIZE.matcher(size.strip());
        if (!m.matches()) {
            throw new InvalidInputException("--card-size " + size + ": give a size such as 16G, 32GB or 14.8GiB");
        }
        int power = "kmgt".indexOf(Character.toLowerCase(m.group(3).charAt(0))) + 1;
        java.math.BigDecimal unit = m.group(4).isEmpty() ? java.math.BigDecimal.valueOf(1000).pow(power)
                : java.math.BigDecimal.valueOf(1024).pow(power);
        java.math.BigDecimal bytes = new java.math.BigDecimal(m.group(1)).multiply(unit);
        if (bytes.compareTo(java.math.BigDecimal.valueOf(1L << 50)) > 0) {
            throw new InvalidInputException("--card-size " + size + ": larger than any card");
        }
        long sectors = bytes.longValue() / 512;
        if (sectors < 2048) {
            throw new InvalidInputException("--card-size " + size + ": smaller than a MiB");
        }
        return sectors * 512;
    }

    /** Null when every stage that can run without the network is done; else why not, in one line. */
    private String failure(TrialBoot.Outcome o) {
        if (o.ending() == hydrapi.boot.Ending.POWER_CUT) {
            return "power cut at \"" + powerCutAt + "\" as asked; disk kept at " + o.keptDisk().orElseThrow()
                    + " (boot it again: hydrapi try " + o.keptDisk().orElseThrow() + ")";
        }
        if (o.report().isEmpty()) {
            return "could not read first boot's state from the disk: " + InputOptions.render(o.reportProblem());
        }
        FirstbootReport r = o.report().get();
        if (r.localStagesDone()) {
            return null;
        }
        Optional<FirstbootReport.Stage> rootWait = r.stages().stream()
                .filter(s -> s.state() == FirstbootReport.State.ROOT_WAITING).findFirst();
        if (rootWait.isPresent()) {
            return "first boot waits for its root filesystem to be grown (" + o.ending().text + "): "
                    + rootWait.get().detail();
        }
        List<String> failed = r.stages().stream().filter(s -> s.state() == FirstbootReport.State.FAILED)
                .map(FirstbootReport.Stage::name).toList();
        long notRun = r.stages().stream().filter(s -> s.state() == FirstbootReport.State.NOT_RUN).count();
        String what = r.fatal().isPresent() ? r.fatal().get()
                : (failed.isEmpty() ? "" : "failed: " + String.join(" ", failed) + "; ") + notRun + " stage(s) not run";
        return "first boot did not complete the stages it can run offline (" + o.ending().text + "): " + what;
    }

    private void printSummary(PrintWriter out, TrialBoot.Outcome o) {
        out.println();
        out.printf("hydrapi try: %s; %s%n", o.ending().text, o.ending() == hydrapi.boot.Ending.POWER_CUT
                ? "QEMU killed without shutdown" : o.cleanPowerOff() ? "the guest powered off cleanly"
                : "the guest did not power off in time: QEMU stopped");
        out.println("card: " + RootSize.gb(o.diskBytes()) + " (" + o.diskBytes() + " bytes), "
                + (o.boots() == 1 ? "booted once" : "booted " + o.boots() + " times (the guest restarted itself)"));
        out.println("root before boot: " + rootText(o.rootBefore()));
        out.println("root after boot:  " + rootText(o.rootAfter()));
        if (o.report().isEmpty()) {
            out.println("first boot (from the disk): not read: " + InputOptions.render(o.reportProblem()));
        } else {
            FirstbootReport r = o.report().get();
            if (!r.present()) {
                out.println("first boot (from the disk): this image has no hydra-firstboot stages");
            } else {
                boolean rootWaiting = r.stages().stream()
                        .anyMatch(s -> s.state() == FirstbootReport.State.ROOT_WAITING);
                out.println("first boot (from the disk): " + (r.done() ? "done" : r.fatal().isPresent()
                        ? "stopped: " + r.fatal().get() : rootWaiting
                        ? "waiting for its root filesystem to be grown; nothing else runs before" : r.localStagesDone()
                        ? "every stage that can run offline is done; the rest waits for the network"
                        : "incomplete"));
                for (FirstbootReport.Stage s : r.stages()) {
                    out.printf("  %-26s %s%s%n", s.name(), s.state().text,
                            s.detail().isEmpty() ? "" : " (" + s.detail() + ")");
                    for (String line : s.logTail()) {
                        out.println("      | " + line);
                    }
                }
            }
        }
        o.keptDisk().ifPresent(d -> out.println("disk kept: " + d + " (boot it again: hydrapi try " + d + ")"));
    }

    private static String rootText(Optional<RootSize> root) {
        if (root.isEmpty()) {
            return "no ext4 partition mounted at /";
        }
        RootSize r = root.get();
        return "partition " + r.partition() + " " + RootSize.gib(r.partitionBytes()) + ", filesystem "
                + (r.journalClean() ? RootSize.gib(r.filesystemBytes())
                : "not known until its journal is replayed (no clean shutdown)");
    }

    private static Map<String, Object> rootJson(Optional<RootSize> root) {
        if (root.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("partition", root.get().partition());
        m.put("partitionBytes", root.get().partitionBytes());
        m.put("filesystemBytes", root.get().journalClean() ? root.get().filesystemBytes() : null);
        return m;
    }

    static Map<String, Object> json(TrialBoot.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", o.arch().debianName);
        m.put("kvm", o.kvm());
        m.put("ending", o.ending().name().toLowerCase(java.util.Locale.ROOT));
        m.put("cleanPowerOff", o.cleanPowerOff());
        m.put("keptDisk", o.keptDisk().map(Path::toString).orElse(null));
        m.put("reportProblem", InputOptions.render(o.reportProblem()));
        m.put("cardBytes", o.diskBytes());
        m.put("boots", o.boots());
        m.put("rootBefore", rootJson(o.rootBefore()));
        m.put("rootAfter", rootJson(o.rootAfter()));
        o.report().ifPresent(r -> {
            m.put("done", r.done());
            m.put("failed", r.fatal().orElse(null));
            m.put("localStagesDone", r.localStagesDone());
            List<Object> stages = new ArrayList<>();
            for (FirstbootReport.Stage s : r.stages()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("name", s.name());
                sm.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
                sm.put("detail", s.detail());
                sm.put("logTail", new ArrayList<Object>(s.logTail()));
                stages.add(sm);
            }
            m.put("stages", stages);
        });
        return m;
    }
}
