// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A second, uncompressed cpio (newc) archive appended to an image's initramfs: the kernel unpacks one archive after
 * the other into the same rootfs (kernel docs filesystems/ramfs-rootfs-initramfs.rst, "concatenated"; each archive
 * starts 4-byte aligned, init/initramfs.c skips the zero padding). It holds the modules of a --kernel-deb kernel, which
 * the image's own initramfs (built for the Raspberry Pi kernel) lacks, and /conf/conf.d/zz-hydrapi-try, which
 * initramfs-tools' init sources after mounting /proc, /sys and /dev and before it starts udev and looks for the root
 * device: there it loads them, dependencies first. conf.d rather than an init-premount script: a script there would
 * need its name in scripts/init-premount/ORDER, which lives inside the (zstd-compressed) first archive.
 */
final class InitrdAppendix {

    static final String DIR = "hydrapi-try";
    static final String HOOK = "conf/conf.d/zz-hydrapi-try";

    private InitrdAppendix() {
    }

    /** The bytes to write after the image's initramfs padded to a multiple of 4. */
    static byte[] build(List<KernelModule> modules, Map<String, byte[]> bytes) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(buf, CpioConstants.FORMAT_NEW)) {
            dir(cpio, "conf");
            dir(cpio, "conf/conf.d");
            dir(cpio, DIR);
            StringBuilder names = new StringBuilder();
            for (KernelModule k : modules) {
                String file = k.path().substring(k.path().lastIndexOf('/') + 1);
                file(cpio, DIR + "/" + file, 0644, bytes.get(k.path()));
                names.append(' ').append(file);
            }
            file(cpio, HOOK, 0644, hook(names.toString().strip()).getBytes(StandardCharsets.UTF_8));
            cpio.finish();
        }
        return buf.toByteArray();
    }

    /**
     * Sourced by init's own shell: no exit, no set -e, names prefixed. insmod is kmod's (through a link named insmod,
     * as kmod picks its applet from argv[0]) or busybox's, whichever the initramfs has.
     */
    static String hook(String files) {
        return "# Written by hydrapi try: modules of the kernel it boots, which this initramfs was not built for.\n"
                + "hydrapi_insmod=insmod\n"
                + "for hydrapi_k in /usr/bin/kmod /bin/kmod /sbin/kmod /usr/sbin/kmod; do\n"
                + "  if [ -x \"$hydrapi_k\" ]; then\n"
                + "    ln -sf \"$hydrapi_k\" /" + DIR + "/insmod && hydrapi_insmod=/" + DIR + "/insmod\n"
                + "    break\n"
                + "  fi\n"
                + "done\n"
                + "for hydrapi_m in " + files + "; do\n"
                + "  \"$hydrapi_insmod\" /" + DIR + "/\"$hydrapi_m\" || echo \"hydrapi try: insmod $hydrapi_m failed\"\n"
                + "done\n"
                + "unset hydrapi_insmod hydrapi_k hydrapi_m\n";
    }

    private static void dir(CpioArchiveOutputStream cpio, String name) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, 0);
        e.setMode(CpioConstants.C_ISDIR | 0755);
        e.setNumberOfLinks(2);
        cpio.putArchiveEntry(e);
        cpio.closeArchiveEntry();
    }

    private static void file(CpioArchiveOutputStream cpio, String name, int mode, byte[] data) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, data.length);
        e.setMode(CpioConstants.C_ISREG | mode);
        e.setNumberOfLinks(1);
        cpio.putArchiveEntry(e);
        cpio.write(data);
        cpio.closeArchiveEntry();
    }
}
