// SPDX-License-Identifier: Apache-2.0
package hydrapi.image;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.assemble.RecipeInputs;
import hydrapi.recipe.HydraServerRecipe;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.Pin;
import hydrapi.testkit.Fuzz;
import hydrapi.testkit.SparseImage;

import java.time.Instant;
import java.util.List;

/**
 * Coverage-guided fuzzing of a whole hostile disk as {@code inspect} and {@code build} open it: the MBR, each
 * partition recognised as FAT or ext4, the image's own fstab resolving mount points, paths listed and read across
 * partitions (symlinks inside the image followed), os-release and dpkg's ELF header for the pin check, and
 * /etc/passwd, /etc/group and /etc/skel read for the accounts. The input is a {@link SparseImage}; the seed is a
 * Raspberry Pi OS-like disk made by sfdisk, mkfs.vfat and mke2fs -d (testdata/make-fuzz-seeds.sh).
 */
class ImageViewFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        HydraOptions accounts = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.parse("modern"), null,
                null, 2, true, Instant.EPOCH, true, MountTable.DEFAULT_BOOT_MOUNT, List.of());
        SparseImage dev = SparseImage.decode(input);
        Fuzz.onlyOurs(() -> {
            ImageView view = ImageView.open(dev, "fuzz.img");
            view.partitions();
            view.bootMount();
            for (String p : new String[] {"/", "/etc", "/boot/firmware", "/etc/os-release",
                "/boot/firmware/cmdline.txt", "/etc/fstab"}) {
                Fuzz.onlyOurs(() -> view.list(p));
                Fuzz.onlyOurs(() -> {
                    if (view.exists(p)) {
                        view.read(p);
                    }
                });
            }
            Fuzz.onlyOurs(() -> RecipeInputs.release(view));
            Fuzz.onlyOurs(() -> new HydraServerRecipe(accounts, pin -> null).contribute(new RecipeInputs(view)));
        });
    }
}
