// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.CorruptImageException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a kernel module's {@code .modinfo} section says about it: its name, the modules it needs ({@code depends=},
 * which depmod turns into modules.dep), the ones it wants loaded first ({@code softdep=pre:}) and its aliases.
 * ELF64 little-endian layout: System V gABI "Section Header"; keys: kernel include/linux/module.h MODULE_INFO.
 */
record KernelModule(String path, String name, List<String> depends, List<String> softPre, List<String> aliases) {

    static KernelModule parse(String path, byte[] elf) throws CorruptImageException {
        if (elf.length < 64 || elf[0] != 0x7F || elf[1] != 'E' || elf[4] != 2 || elf[5] != 1) {
            throw new CorruptImageException(path + ": not a 64-bit little-endian ELF module");
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3A) & 0xFFFF;
        int shnum = b.getShort(0x3C) & 0xFFFF;
        int shstrndx = b.getShort(0x3E) & 0xFFFF;
        if (shoff <= 0 || shoff + (long) shnum * shentsize > elf.length || shstrndx >= shnum || shentsize < 0x40) {
            throw new CorruptImageException(path + ": section header table out of the file");
        }
        long namesOff = b.getLong((int) (shoff + (long) shstrndx * shentsize) + 0x18);
        String name = fileName(path);
        List<String> depends = new ArrayList<>();
        List<String> softPre = new ArrayList<>();
        List<String> aliases = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            String secName = cString(elf, namesOff + (b.getInt(sh) & 0xFFFFFFFFL));
            if (!secName.equals(".modinfo")) {
                continue;
            }
            long off = b.getLong(sh + 0x18);
            long size = b.getLong(sh + 0x20);
            if (off < 0 || size < 0 || off + size > elf.length) {
                throw new CorruptImageException(path + ": .modinfo out of the file");
            }
            for (String kv : new String(elf, (int) off, (int) size, StandardCharsets.UTF_8).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = kv.substring(0, eq);
                String value = kv.substring(eq + 1);
                switch (key) {
                    case "name" -> name = value;
                    case "depends" -> {
                        for (String d : value.split(",")) {
                            if (!d.isBlank()) {
                                depends.add(d.strip());
                            }
                        }
                    }
                    // "pre: a b post: c" (modprobe.d(5) softdep syntax).
                    case "softdep" -> {
                        boolean pre = false;
                        for (String w : value.strip().split("\\s+")) {
                            if (w.equals("pre:")) {
                                pre = true;
                            } else if (w.equals("post:")) {
                                pre = false;
                            } else if (pre && !w.isEmpty()) {
                                softPre.add(w);
                            }
                        }
                    }
                    case "alias" -> aliases.add(value);
                    default -> { }
                }
            }
        }
        return new KernelModule(path, name, List.copyOf(depends), List.copyOf(softPre), List.copyOf(aliases));
    }

    /** virtio_blk.ko -> virtio_blk; module names use '_' where file names may use '-'. */
    static String fileName(String path) {
        String f = path.substring(path.lastIndexOf('/') + 1);
        int dot = f.indexOf(".ko");
        return (dot < 0 ? f : f.substring(0, dot)).replace('-', '_');
    }

    private static String cString(byte[] b, long off) {
        int end = (int) off;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return off >= b.length ? "" : new String(b, (int) off, end - (int) off, StandardCharsets.US_ASCII);
    }
}
