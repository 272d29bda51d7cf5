// SPDX-License-Identifier: Apache-2.0
package hydrapi.image;

import hydrapi.disk.Mbr;
import hydrapi.disk.PartitionEntry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which partition the running Pi mounts where, read from the image's own /etc/fstab (PARTUUID=, LABEL= or
 * /dev/mmcblk0pN specs, as pi-gen's export-image/04-set-partuuid writes them). When fstab names no boot
 * partition, partition 1 is taken as {@code /boot/firmware} (bookworm and later).
 */
public final class MountTable {

    /** One mount: a mount point and the partition number behind it. */
    public record Mount(String mountPoint, int partition) {
    }

    public static final String DEFAULT_BOOT_MOUNT = "/boot/firmware";

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        // Longest mount point first, so resolve() picks the deepest mount.
        List<Mount> sorted = new ArrayList<>(mounts);
        sorted.sort(Comparator.comparingInt((Mount m) -> m.mountPoint().length()).reversed()
                .thenComparing(Mount::mountPoint));
        this.mounts = List.copyOf(sorted);
    }

    /**
     * Builds the table. {@code fstab} may be null (no root filesystem found); {@code labels} maps partition
     * number to filesystem label; {@code rootGuess} is the partition taken as "/" if fstab does not say.
     */
    public static MountTable from(byte[] fstab, Mbr mbr, Map<Integer, String> labels, int rootGuess) {
        List<Mount> mounts = new ArrayList<>();
        if (fstab != null) {
            for (String line : new String(fstab, StandardCharsets.UTF_8).split("\n")) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] f = t.split("\\s+");
                if (f.length < 2 || !f[1].startsWith("/")) {
                    continue;
                }
                partitionOf(f[0], mbr, labels).ifPresent(p -> mounts.add(new Mount(normalise(f[1]), p)));
            }
        }
        if (mounts.stream().noneMatch(m -> m.mountPoint().equals("/")) && rootGuess > 0) {
            mounts.add(new Mount("/", rootGuess));
        }
        boolean bootNamed = mounts.stream().anyMatch(m -> m.partition() == 1);
        if (!bootNamed && mbr.partitions().stream().anyMatch(p -> p.index() == 1) && rootGuess != 1) {
            mounts.add(new Mount(DEFAULT_BOOT_MOUNT, 1));
        }
        return new MountTable(mounts);
    }

    static Optional<Integer> partitionOf(String spec, Mbr mbr, Map<Integer, String> labels) {
        if (spec.startsWith("PARTUUID=")) {
            String id = spec.substring("PARTUUID=".length()).toLowerCase(java.util.Locale.ROOT);
            for (PartitionEntry e : mbr.partitions()) {
                if (mbr.partUuid(e.index()).equals(id)) {
                    return Optional.of(e.index());
                }
            }
            return Optional.empty();
        }
        if (spec.startsWith("LABEL=")) {
            String label = spec.substring("LABEL=".length());
            return labels.entrySet().stream().filter(e -> e.getValue().equals(label)).map(Map.Entry::getKey)
                    .findFirst();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/dev/(?:mmcblk\\d+p|sd[a-z])(\\d+)")
                .matcher(spec);
        if (m.matches()) {
            return Optional.of(Integer.parseInt(m.group(1)));
        }
        return Optional.empty();
    }

    private static String normalise(String mountPoint) {
        String p = mountPoint.replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    public List<Mount> mounts() {
        return mounts;
    }

    /** The mount point of a partition, if it is mounted. */
    public Optional<String> mountPointOf(int partition) {
        return mounts.stream().filter(m -> m.partition() == partition).map(Mount::mountPoint)
                .min(Comparator.comparingInt(String::length));
    }

    /** The mount holding {@code path} and the path inside that filesystem ("/" for the mount point itself). */
    public Optional<Located> resolve(String path) {
        for (Mount m : mounts) {
            String mp = m.mountPoint();
            if (mp.equals("/")) {
                return Optional.of(new Located(m, path));
            }
            if (path.equals(mp)) {
                return Optional.of(new Located(m, "/"));
            }
            if (path.startsWith(mp + "/")) {
                return Optional.of(new Located(m, path.substring(mp.length())));
            }
        }
        return Optional.empty();
    }

    /** A path located in one partition's filesystem. */
    public record Located(Mount mount, String innerPath) {
    }
}
