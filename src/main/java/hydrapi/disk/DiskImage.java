// SPDX-License-Identifier: Apache-2.0
package hydrapi.disk;

import hydrapi.InvalidInputException;
import hydrapi.io.BlockDevice;
import hydrapi.io.SliceDevice;

import java.io.IOException;
import java.util.List;

/** A whole-disk device with its MBR, handing out each partition as a device of its own. */
public final class DiskImage {

    private final BlockDevice device;
    private final Mbr mbr;

    private DiskImage(BlockDevice device, Mbr mbr) {
        this.device = device;
        this.mbr = mbr;
    }

    public static DiskImage open(BlockDevice device, String what) throws IOException {
        return new DiskImage(device, Mbr.read(device, what));
    }

    public BlockDevice device() {
        return device;
    }

    public Mbr mbr() {
        return mbr;
    }

    public List<PartitionEntry> partitions() {
        return mbr.partitions();
    }

    public PartitionEntry entry(int index) throws InvalidInputException {
        for (PartitionEntry e : mbr.partitions()) {
            if (e.index() == index) {
                return e;
            }
        }
        throw new InvalidInputException("the image has no partition " + index);
    }

    public SliceDevice partition(int index) throws InvalidInputException {
        PartitionEntry e = entry(index);
        return new SliceDevice(device, e.startBytes(), e.sizeBytes());
    }
}
