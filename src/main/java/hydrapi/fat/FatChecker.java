// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.HydrapiException;
import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Our own consistency check of a FAT volume as it is on the device, for {@code verify}: the rules fsck.fat -n
 * applies that matter for a boot partition (dosfstools fsck/check.c and fat.c behaviour, read, not copied).
 */
final class FatChecker {

    private static final int MAX_PROBLEMS = 100;

    private final BlockDevice device;
    private final BootSector boot;
    private final List<String> problems = new ArrayList<>();
    private FatTable fat;
    /** Owner path per cluster, index = cluster number; null = not reached from the root. */
    private String[] owner;

    FatChecker(BlockDevice device, BootSector boot) {
        this.device = device;
        this.boot = boot;
    }

    List<String> run() throws IOException {
        int fatBytes = FatTable.loadedBytes(boot.type, boot.clusterCount, boot.bytesPerSector);
        byte[] first = device.read(boot.fatOffsetBytes(0), fatBytes);
        for (int copy = 1; copy < boot.numFats; copy++) {
            if (!Arrays.equals(first, device.read(boot.fatOffsetBytes(copy), fatBytes))) {
                problem("FAT copy " + (copy + 1) + " differs from FAT copy 1");
            }
        }
        fat = new FatTable(boot.type, first, boot.clusterCount, boot.bytesPerSector);
        if ((fat.get(0) & 0xFF) != boot.media) {
            problem("FAT[0] media byte 0x" + Long.toHexString(fat.get(0) & 0xFF) + " != BPB media 0x"
                    + Integer.toHexString(boot.media));
        }
        owner = new String[(int) fat.maxCluster() + 1];
        walkTree();
        long lost = 0;
        long firstLost = 0;
        for (long c = 2; c <= fat.maxCluster(); c++) {
            long v = fat.get(c);
            if (v != 0 && !fat.isBad(v) && owner[(int) c] == null) {
                firstLost = lost++ == 0 ? c : firstLost;
            }
        }
        if (lost > 0) {
            problem(lost + " clusters are allocated but belong to no file or directory (lost), first " + firstLost);
        }
        if (boot.fsInfoSector > 0) {
            checkFsInfo();
        }
        return problems;
    }

    private void checkFsInfo() throws IOException {
        FsInfo info = FsInfo.parse(device.read((long) boot.fsInfoSector * boot.bytesPerSector, 512));
        if (!info.valid()) {
            problem("FSInfo sector " + boot.fsInfoSector + " has bad signatures");
            return;
        }
        if (info.freeCount() != FsInfo.UNKNOWN && info.freeCount() != fat.freeCount()) {
            problem("FSInfo free count " + info.freeCount() + " != " + fat.freeCount() + " free in the FAT");
        }
        long next = info.nextFree();
        if (next != FsInfo.UNKNOWN && (next < 2 || next > fat.maxCluster())) {
            problem("FSInfo next free " + next + " outside 2.." + fat.maxCluster());
        }
    }

    private record Pending(long cluster, long parentCluster, String path) {
    }

    private void walkTree() throws IOException {
        Deque<Pending> todo = new ArrayDeque<>();
        todo.add(new Pending(boot.type == FatType.FAT32 ? boot.rootCluster : 0, -1, "/"));
        while (!todo.isEmpty() && problems.size() < MAX_PROBLEMS) {
            Pending p = todo.poll();
            Directory dir;
            boolean root = p.parentCluster() < 0;
            if (root && boot.type == FatType.FAT32 && !claim(p.cluster(), "/", 0, true)) {
                continue;
            }
            try {
                dir = root ? Directory.root(device, boot, fat) : Directory.load(device, boot, fat, p.cluster(), p.path());
            } catch (HydrapiException e) {
                problem(e.getMessage());
                continue;
            }
            if (dir.orphanLongNameSlots() > 0) {
                problem("directory " + p.path() + ": " + dir.orphanLongNameSlots() + " long-name entries belong to"
                        + " no short entry");
            }
            checkDots(dir, p, root);
            List<String> seen = new ArrayList<>();
            for (Directory.Record r : dir.records()) {
                if (r.isDotEntry()) {
                    continue;
                }
                String path = (root ? "/" : p.path() + "/") + r.name();
                if (seen.contains(r.shortName())) {
                    problem("directory " + p.path() + ": duplicate short name " + r.shortName());
                }
                seen.add(r.shortName());
                if (!validShortName(r.raw11())) {
                    problem(path + ": invalid short name '" + r.shortName() + "'");
                }
                if (r.isDirectory()) {
                    if (r.sizeBytes() != 0) {
                        problem(path + ": directory has size " + r.sizeBytes());
                    }
                    if (claim(r.cluster(), path, 0, true)) {
                        todo.add(new Pending(r.cluster(), root ? 0 : p.cluster(), path));
                    }
                } else {
                    claim(r.cluster(), path, r.sizeBytes(), false);
                }
            }
        }
    }

    private void checkDots(Directory dir, Pending p, boolean root) {
        if (root) {
            return;
        }
        List<Directory.Record> rs = dir.records();
        if (rs.size() < 2 || !rs.get(0).shortName().equals(".") || !rs.get(1).shortName().equals("..")) {
            problem("directory " + p.path() + ": does not start with '.' and '..'");
            return;
        }
        if (rs.get(0).cluster() != p.cluster()) {
            problem("directory " + p.path() + ": '.' points to " + rs.get(0).cluster() + ", not " + p.cluster());
        }
        if (rs.get(1).cluster() != p.parentCluster()) {
            problem("directory " + p.path() + ": '..' points to " + rs.get(1).cluster() + ", not "
                    + p.parentCluster());
        }
    }

    /** Follows a chain, marking its clusters; reports range, loop, cross-link and size problems. */
    private boolean claim(long first, String path, long sizeBytes, boolean directory) {
        long cb = boot.clusterBytes();
        if (first == 0) {
            if (directory || sizeBytes != 0) {
                problem(path + ": " + (directory ? "directory" : sizeBytes + "-byte file") + " has no cluster");
            }
            return false;
        }
        long length = 0;
        long c = first;
        while (true) {
            if (c < 2 || c > fat.maxCluster()) {
                problem(path + ": cluster chain reaches " + c + ", outside 2.." + fat.maxCluster());
                return false;
            }
            if (owner[(int) c] != null) {
                problem(path + ": cluster " + c + " is also used by " + owner[(int) c]
                        + (owner[(int) c].equals(path) ? " (loop)" : " (cross-linked)"));
                return false;
            }
            owner[(int) c] = path;
            length++;
            long next = fat.get(c);
            if (fat.isEndOfChain(next)) {
                break;
            }
            if (next == 0 || fat.isBad(next)) {
                problem(path + ": cluster chain hits a " + (next == 0 ? "free" : "bad") + " cluster after " + c);
                return false;
            }
            c = next;
        }
        if (!directory && length != (sizeBytes + cb - 1) / cb) {
            problem(path + ": size " + sizeBytes + " bytes but cluster chain of " + length + " clusters");
        }
        return true;
    }

    private static boolean validShortName(byte[] raw) {
        if (raw[0] == ' ') {
            return false;
        }
        for (byte b : raw) {
            int c = b & 0xFF;
            if (c < 0x20 || "\"*+,./:;<=>?[\\]|".indexOf(c) >= 0 || (c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    private void problem(String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add("boot partition: " + p);
        }
    }
}
