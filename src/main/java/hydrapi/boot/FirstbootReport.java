// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.ext4.Ext4Volume;
import hydrapi.image.ImageView;
import hydrapi.io.FileBlockDevice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where first boot stands, read from a powered-off disk with our own readers: the paths and stamp rules of
 * firstboot/run and firstboot/lib.sh (a stage is done when its stamp holds the current pin string; a stage waiting
 * for the network ends its log with lib.sh's need_network line, stage 00 waiting for the root's resize with its own
 * status line; a fatal stop leaves the "failed" file).
 */
public record FirstbootReport(boolean present, boolean done, Optional<String> fatal, List<Stage> stages) {

    static final String LIB_DIR = "/usr/local/lib/hydra-firstboot";
    static final String STATE_DIR = "/var/lib/hydra-firstboot";
    static final String LOG_DIR = "/var/log/hydra-firstboot";
    static final int TAIL_LINES = 15;

    public enum State {
        DONE("done"), WAITING("waiting for network"), ROOT_WAITING("waiting for the root to be grown"),
        HELD("held back"), FAILED("failed"), NOT_RUN("not run");

        public final String text;

        State(String text) {
            this.text = text;
        }
    }

    /** One stage; {@code detail} says what holds it back, {@code logTail} the end of a failed one's log. */
    public record Stage(String name, State state, String detail, List<String> logTail) {
    }

    private static final Pattern NEED = Pattern.compile("(?m)^# hydra-firstboot: after (.+)$");
    private static final Pattern KV = Pattern.compile("(?m)^([A-Z_]+)='((?:[^']|'\\\\'')*)'$");

    /**
     * Whether every stage that can run without the network has run: each is done, waiting for the network, or held
     * back by one that waits; no fatal stop. Vacuously true for an image without first-boot stages.
     */
    public boolean localStagesDone() {
        return fatal.isEmpty() && stages.stream().allMatch(s -> s.state == State.DONE || s.state == State.WAITING
                || s.state == State.HELD);
    }

    /**
     * Reads the disk; empty when a journal holds transactions not yet replayed (no clean shutdown): the inodes on
     * disk may then be older than the directory entries naming them, and only the kernel's (or e2fsck's) replay
     * makes the filesystem whole again.
     */
    public static Optional<FirstbootReport> read(Path rawDisk) throws IOException {
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(rawDisk)) {
            ImageView view = ImageView.open(dev, rawDisk.getFileName().toString());
            for (Ext4Volume v : view.ext4Volumes().values()) {
                if (v.journalNeedsRecovery()) {
                    return Optional.empty();
                }
            }
            return Optional.of(read(view));
        }
    }

    static FirstbootReport read(ImageView view) throws IOException {
        if (!GuestImage.exists(view, LIB_DIR + "/stages")) {
            return new FirstbootReport(false, false, Optional.empty(), List.of());
        }
        String pin = pinString(text(view, "/etc/hydra-firstboot/config.env").orElse(""));
        Optional<String> fatal = text(view, STATE_DIR + "/failed").map(String::strip);
        boolean done = GuestImage.exists(view, STATE_DIR + "/done");
        List<String> names = new ArrayList<>();
        for (ImageView.Entry e : view.list(LIB_DIR + "/stages")) {
            if (e.name().matches("[0-9][0-9]-.*\\.sh")) {
                names.add(e.name().substring(0, e.name().length() - 3));
            }
        }
        names.sort(null);
        Map<String, State> states = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        for (String name : names) {
            Optional<String> stamp = text(view, STATE_DIR + "/state/" + name + ".done");
            Optional<String> log = text(view, LOG_DIR + "/" + name + ".log");
            List<String> needs = needs(text(view, LIB_DIR + "/stages/" + name + ".sh").orElse(""));
            Stage s;
            if (stamp.isPresent() && stamp.get().strip().equals(pin)) {
                s = new Stage(name, State.DONE, "", List.of());
            } else if (fatal.isPresent() && fatal.get().contains("/" + name + ".log")) {
                s = new Stage(name, State.FAILED, fatal.get(), tail(log.orElse("")));
            } else if (log.isPresent() && lastLine(log.get()).contains("waiting for network (stage " + name + ")")) {
                s = new Stage(name, State.WAITING, "", List.of());
            } else if (log.isPresent() && lastLine(log.get()).contains(ConsoleWatch.ROOT_WAIT)) {
                String last = lastLine(log.get());
                s = new Stage(name, State.ROOT_WAITING,
                        last.substring(last.indexOf(ConsoleWatch.ROOT_WAIT) + ConsoleWatch.ROOT_WAIT.length()), List.of());
            } else if (log.isPresent()) {
                // Ran and neither finished nor said it waits: a failure systemd retries, or a run cut short.
                s = new Stage(name, State.FAILED, "did not finish", tail(log.get()));
            } else if (states.containsValue(State.ROOT_WAITING)) {
                // firstboot/run starts nothing after a preflight that waits for the root to grow.
                s = new Stage(name, State.HELD, "after " + states.entrySet().stream()
                        .filter(e -> e.getValue() == State.ROOT_WAITING).findFirst().orElseThrow().getKey(), List.of());
            } else {
                List<String> blockers = needs.stream().filter(n -> states.get(n) == State.WAITING
                        || states.get(n) == State.HELD).toList();
                s = blockers.isEmpty() ? new Stage(name, State.NOT_RUN, "", List.of())
                        : new Stage(name, State.HELD, "after " + String.join(" ", blockers), List.of());
            }
            states.put(name, s.state);
            stages.add(s);
        }
        return new FirstbootReport(true, done, fatal, List.copyOf(stages));
    }

    /** lib.sh pin_string: "PIN hydra=HYDRA_REV nix=NIX_VERSION". */
    static String pinString(String configEnv) {
        Map<String, String> kv = new LinkedHashMap<>();
        Matcher m = KV.matcher(configEnv);
        while (m.find()) {
            kv.put(m.group(1), m.group(2).replace("'\\''", "'"));
        }
        return kv.getOrDefault("PIN", "") + " hydra=" + kv.getOrDefault("HYDRA_REV", "") + " nix="
                + kv.getOrDefault("NIX_VERSION", "");
    }

    static List<String> needs(String script) {
        List<String> out = new ArrayList<>();
        Matcher m = NEED.matcher(script);
        while (m.find()) {
            out.addAll(List.of(m.group(1).strip().split("\\s+")));
        }
        return out;
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    private static List<String> tail(String log) {
        String[] lines = log.stripTrailing().split("\n");
        int from = Math.max(0, lines.length - TAIL_LINES);
        return List.of(lines).subList(from, lines.length);
    }

    private static Optional<String> text(ImageView view, String path) throws IOException {
        if (!GuestImage.exists(view, path)) {
            return Optional.empty();
        }
        return Optional.of(new String(view.read(path), StandardCharsets.UTF_8));
    }
}
