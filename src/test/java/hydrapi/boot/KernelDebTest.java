// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.UnsupportedImageException;
import hydrapi.testkit.Oracles;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KernelDeb, KernelModule and InitrdAppendix against tools nobody here wrote: the package is made by dpkg-deb, each
 * module's .modinfo is read back by kmod's modinfo, the appended archive is listed and unpacked by bsdtar, and the
 * hook script passes sh -n and shellcheck.
 */
class KernelDebTest {

    static final String V = "6.1.0-99-arm64";

    @TempDir
    Path tmp;

    /** A minimal ELF64 relocatable object: null section, .modinfo, .shstrtab. */
    static byte[] module(String... modinfo) {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        for (String kv : modinfo) {
            info.writeBytes((kv + "\0").getBytes(StandardCharsets.UTF_8));
        }
        byte[] inf = info.toByteArray();
        byte[] names = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int infOff = 64;
        int namesOff = infOff + inf.length;
        int shoff = (namesOff + names.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(0x10, (short) 1);          // e_type ET_REL
        b.putShort(0x12, (short) 0xB7);       // e_machine aarch64
        b.putInt(0x14, 1);                    // e_version
        b.putLong(0x28, shoff);               // e_shoff
        b.putShort(0x34, (short) 64);         // e_ehsize
        b.putShort(0x3A, (short) 64);         // e_shentsize
        b.putShort(0x3C, (short) 3);          // e_shnum
        b.putShort(0x3E, (short) 2);          // e_shstrndx
        b.put(infOff, inf);
        b.put(namesOff, names);
        section(b, shoff + 64, 1, 1, infOff, inf.length);       // .modinfo, SHT_PROGBITS
        section(b, shoff + 128, 10, 3, namesOff, names.length); // .shstrtab, SHT_STRTAB
        return b.array();
    }

    private static void section(ByteBuffer b, int at, int name, int type, long off, long size) {
        b.putInt(at, name);
        b.putInt(at + 4, type);
        b.putLong(at + 0x18, off);
        b.putLong(at + 0x20, size);
        b.putLong(at + 0x30, 1);
    }

    private Path deb(Map<String, byte[]> modules) throws Exception {
        Path pkg = tmp.resolve("pkg");
        Files.createDirectories(pkg.resolve("DEBIAN"));
        Files.writeString(pkg.resolve("DEBIAN/control"), "Package: linux-image-" + V + "\nVersion: 6.1.99-1\n"
                + "Architecture: arm64\nMaintainer: test <t@e>\nDescription: test kernel\n");
        Files.createDirectories(pkg.resolve("boot"));
        Files.write(pkg.resolve("boot/vmlinuz-" + V), "kernel image bytes".getBytes(StandardCharsets.US_ASCII));
        Path mods = pkg.resolve("lib/modules/" + V);
        for (Map.Entry<String, byte[]> e : modules.entrySet()) {
            Path p = mods.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        Files.writeString(mods.resolve("modules.builtin"), "kernel/drivers/virtio/virtio.ko\n");
        Path deb = tmp.resolve("linux-image.deb");
        Oracles.check("dpkg-deb", "--root-owner-group", "-Zxz", "--build", pkg.toString(), deb.toString());
        return deb;
    }

    private static Map<String, byte[]> kernelTree() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("kernel/drivers/virtio/virtio_pci.ko", module("alias=pci:v00001AF4d*", "depends=virtio_pci_modern_dev,"
                + "virtio_pci_legacy_dev", "name=virtio_pci"));
        m.put("kernel/drivers/virtio/virtio_pci_modern_dev.ko", module("depends=", "name=virtio_pci_modern_dev"));
        m.put("kernel/drivers/virtio/virtio_pci_legacy_dev.ko", module("depends=", "name=virtio_pci_legacy_dev"));
        m.put("kernel/drivers/block/virtio_blk.ko", module("depends=", "name=virtio_blk"));
        m.put("kernel/fs/ext4/ext4.ko", module("softdep=pre: crypto-crc32c", "depends=jbd2,mbcache,crc16",
                "name=ext4"));
        m.put("kernel/fs/jbd2/jbd2.ko", module("depends=", "name=jbd2"));
        m.put("kernel/fs/mbcache.ko", module("depends=", "name=mbcache"));
        m.put("kernel/lib/crc16.ko", module("depends=", "name=crc16"));
        m.put("kernel/crypto/crc32c_generic.ko", module("alias=crypto-crc32c", "alias=crc32c", "depends=",
                "name=crc32c_generic"));
        m.put("kernel/fs/fat/vfat.ko", module("depends=fat", "name=vfat"));
        m.put("kernel/fs/fat/fat.ko", module("depends=", "name=fat"));
        m.put("kernel/drivers/input/keyboard/gpio_keys.ko", module("depends=", "name=gpio_keys"));
        m.put("kernel/drivers/input/evdev.ko", module("depends=", "name=evdev"));
        m.put("kernel/sound/unrelated.ko", module("depends=", "name=unrelated"));
        return m;
    }

    @Test
    void module_parse_agreesWithKmodModinfo() throws Exception {
        Path ko = tmp.resolve("ext4.ko");
        byte[] bytes = module("softdep=pre: crypto-crc32c", "depends=jbd2,mbcache,crc16", "name=ext4",
                "alias=fs-ext4");
        Files.write(ko, bytes);
        KernelModule k = KernelModule.parse("kernel/fs/ext4/ext4.ko", bytes);
        assertEquals(modinfo(ko, "name"), k.name());
        assertEquals(modinfo(ko, "depends"), String.join(",", k.depends()));
        assertEquals(modinfo(ko, "alias"), String.join("\n", k.aliases()));
        assertEquals(List.of("crypto-crc32c"), k.softPre());
    }

    private static String modinfo(Path ko, String field) throws Exception {
        return new String(Oracles.check("modinfo", "-F", field, ko.toString()), StandardCharsets.UTF_8).strip();
    }

    @Test
    void read_dpkgDebBuiltPackage_givesKernelAndModulesDependenciesFirst() throws Exception {
        Map<String, byte[]> tree = kernelTree();
        KernelDeb.Contents c = KernelDeb.read(deb(tree), BootKernel.REQUIRED, BootKernel.OPTIONAL);
        assertEquals(V, c.version());
        assertArrayEquals("kernel image bytes".getBytes(StandardCharsets.US_ASCII), c.vmlinuz());
        List<String> names = new ArrayList<>();
        c.modules().forEach(k -> names.add(k.name()));
        assertEquals(List.of("virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci", "virtio_blk",
                "crc32c_generic", "jbd2", "mbcache", "crc16", "ext4", "fat", "vfat", "gpio_keys", "evdev"), names);
        for (KernelModule k : c.modules()) {
            assertArrayEquals(tree.get(k.path().substring(("/lib/modules/" + V + "/").length())),
                    c.moduleBytes().get(k.path()), k.path());
        }
    }

    @Test
    void read_kernelWithoutVirtioBlk_isRefusedByName() throws Exception {
        Map<String, byte[]> tree = kernelTree();
        tree.remove("kernel/drivers/block/virtio_blk.ko");
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                () -> KernelDeb.read(deb(tree), BootKernel.REQUIRED, BootKernel.OPTIONAL));
        assertTrue(e.getMessage().contains("has no module virtio_blk"), e.getMessage());
    }

    @Test
    void appendix_bsdtarListsAndUnpacksIt_andTheHookIsValidShell() throws Exception {
        Map<String, byte[]> tree = kernelTree();
        KernelDeb.Contents c = KernelDeb.read(deb(tree), BootKernel.REQUIRED, BootKernel.OPTIONAL);
        Path cpio = tmp.resolve("appendix.cpio");
        Files.write(cpio, InitrdAppendix.build(c.modules(), c.moduleBytes()));
        String list = new String(Oracles.check("bsdtar", "-tf", cpio.toString()), StandardCharsets.UTF_8);
        assertTrue(list.contains("conf/conf.d/zz-hydrapi-try\n") && list.contains("hydrapi-try/ext4.ko\n"), list);
        Path out = Files.createDirectories(tmp.resolve("unpacked"));
        Oracles.check("bsdtar", "-xf", cpio.toString(), "-C", out.toString());
        assertArrayEquals(tree.get("kernel/fs/ext4/ext4.ko"), Files.readAllBytes(out.resolve("hydrapi-try/ext4.ko")));
        Path hook = out.resolve("conf/conf.d/zz-hydrapi-try");
        String text = Files.readString(hook);
        assertTrue(text.contains("for hydrapi_m in virtio_pci_modern_dev.ko virtio_pci_legacy_dev.ko virtio_pci.ko "
                + "virtio_blk.ko crc32c_generic.ko"), text);
        Oracles.check("sh", "-n", hook.toString());
        Oracles.check("shellcheck", "-s", "sh", hook.toString());
    }
}
