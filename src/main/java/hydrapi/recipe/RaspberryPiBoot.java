// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raspberry Pi boot-partition conventions: the empty {@code ssh} file that enables the SSH server on first boot
 * (raspberry-pi-os-image.md §2.6) and words appended to the one line of {@code cmdline.txt} (§1.5).
 */
public final class RaspberryPiBoot implements Recipe {

    private final boolean ssh;
    private final List<String> cmdlineAppend;

    /** The SSH switch when {@code ssh}, and the words of {@code cmdlineAppend} on cmdline.txt. */
    public RaspberryPiBoot(boolean ssh, List<String> cmdlineAppend) {
        this.ssh = ssh;
        this.cmdlineAppend = List.copyOf(cmdlineAppend);
    }

    @Override
    public String name() {
        return "raspberry-pi-boot";
    }

    /** Asked for by option, so they hold whatever an overlay put on the boot partition. */
    @Override
    public Layer layer() {
        return Layer.ABOVE_OVERLAYS;
    }

    @Override
    public Contribution contribute(ImageFacts image) throws java.io.IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        if (ssh) {
            facts.put("ssh", "enabled");
        }
        List<String> words = new ArrayList<>();
        cmdlineAppend.forEach(t -> words.addAll(splitWords(t)));
        if (!words.isEmpty()) {
            facts.put("cmdline_append", String.join(" ", words));
        }
        return new Contribution(specs(image.bootMount(), ssh, cmdlineAppend), facts);
    }

    /** Specs for the boot partition mounted at {@code bootMount} (from the image's fstab). */
    public static List<FileSpec> specs(String bootMount, boolean ssh, List<String> cmdlineAppend) {
        List<FileSpec> out = new ArrayList<>();
        if (ssh) {
            out.add(FileSpec.file(bootMount + "/ssh", 0644, new Content.Bytes(new byte[0])));
        }
        List<String> words = new ArrayList<>();
        for (String text : cmdlineAppend) {
            words.addAll(splitWords(text));
        }
        if (!words.isEmpty()) {
            out.add(FileSpec.file(bootMount + "/cmdline.txt", 0644,
                    new Content.Edit("append " + String.join(" ", words), b -> appendWords(b, words))));
        }
        return out;
    }

    /**
     * Appends each word not already present to the single line, keeping the line's own ending (the firmware
     * reads only the first line, so no new line may be started).
     */
    static byte[] appendWords(byte[] cmdline, List<String> words) {
        FirstLine f = FirstLine.of(cmdline);
        Set<String> present = new LinkedHashSet<>(splitWords(f.line()));
        StringBuilder sb = new StringBuilder(f.line().stripTrailing());
        for (String w : words) {
            if (present.add(w)) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(w);
            }
        }
        return f.with(sb.toString());
    }

    /**
     * Sets the one word starting with {@code prefix} (such as {@code cfg80211.ieee80211_regdom=}) to
     * {@code prefix + value}: replaced where the line has it, appended where it has not.
     */
    static byte[] setWord(byte[] cmdline, String prefix, String value) {
        FirstLine f = FirstLine.of(cmdline);
        List<String> words = new ArrayList<>();
        boolean set = false;
        for (String w : splitWords(f.line())) {
            if (!w.startsWith(prefix)) {
                words.add(w);
            } else if (!set) {
                words.add(prefix + value);
                set = true;
            }
        }
        if (!set) {
            words.add(prefix + value);
        }
        return f.with(String.join(" ", words));
    }

    /** cmdline.txt's one line, without its ending, and what follows it (the ending included), kept as it was. */
    private record FirstLine(String line, String rest) {
        static FirstLine of(byte[] cmdline) {
            String s = new String(cmdline, StandardCharsets.UTF_8);
            int eol = s.indexOf('\n');
            String line = eol < 0 ? s : s.substring(0, eol);
            String rest = eol < 0 ? "" : s.substring(eol);
            if (line.endsWith("\r")) {
                return new FirstLine(line.substring(0, line.length() - 1), "\r" + rest);
            }
            return new FirstLine(line, rest);
        }

        byte[] with(String newLine) {
            return (newLine + rest).getBytes(StandardCharsets.UTF_8);
        }
    }

    static List<String> splitWords(String text) {
        return Arrays.stream(text.trim().split("[ \t]+")).filter(w -> !w.isEmpty()).toList();
    }
}
