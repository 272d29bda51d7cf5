// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.CorruptImageException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A Debian linux-image package read without dpkg: an ar archive (deb(5)) whose data.tar.{xz,gz} holds
 * /boot/vmlinuz-VERSION and /lib/modules/VERSION/kernel/**.ko. Gives the kernel and a set of modules with everything
 * they depend on, in an order insmod can load them (what depmod and modprobe would compute, from each module's
 * .modinfo).
 */
final class KernelDeb {

    /** The kernel image and the modules to load, dependencies first. */
    record Contents(String version, byte[] vmlinuz, List<KernelModule> modules, Map<String, byte[]> moduleBytes) {
    }

    private static final Pattern VMLINUZ = Pattern.compile("^\\./boot/vmlinuz-(.+)$");
    private static final Pattern MODULE = Pattern.compile("^\\./(?:usr/)?lib/modules/([^/]+)/kernel/.+\\.ko$");
    private static final Pattern BUILTIN = Pattern.compile("^\\./(?:usr/)?lib/modules/([^/]+)/modules\\.builtin$");

    private KernelDeb() {
    }

    /**
     * Reads {@code deb}; {@code required} modules must exist as modules or be built in, {@code optional} ones are
     * taken when present. Two passes over data.tar: the first reads every .modinfo, the second keeps the bytes of
     * the modules needed (a kernel package unpacks to hundreds of MiB).
     */
    static Contents read(Path deb, List<String> required, List<String> optional) throws IOException {
        Map<String, KernelModule> byName = new TreeMap<>();
        Map<String, KernelModule> byAlias = new TreeMap<>();
        Set<String> builtin = new HashSet<>();
        String[] version = {null};
        byte[][] vmlinuz = {null};
        eachFile(deb, (name, in) -> {
            Matcher m;
            if ((m = VMLINUZ.matcher(name)).matches()) {
                version[0] = m.group(1);
                vmlinuz[0] = in.readAllBytes();
            } else if (MODULE.matcher(name).matches()) {
                KernelModule k = KernelModule.parse(name.substring(1), in.readAllBytes());
                byName.put(k.name(), k);
                k.aliases().forEach(a -> byAlias.putIfAbsent(a, k));
            } else if (BUILTIN.matcher(name).matches()) {
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        builtin.add(KernelModule.fileName(line.strip()));
                    }
                }
            }
        });
        if (vmlinuz[0] == null) {
            throw new InvalidInputException(deb + ": no ./boot/vmlinuz-* inside; give a Debian linux-image-*-arm64"
                    + " package (apt-get download linux-image-arm64's dependency)");
        }
        List<KernelModule> order = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String want : required) {
            KernelModule k = lookup(want, byName, byAlias);
            if (k == null && !builtin.contains(want)) {
                throw new UnsupportedImageException(deb + ": kernel " + version[0] + " has no module " + want
                        + " and does not build it in; it cannot boot QEMU's virt board");
            }
            visit(k, byName, byAlias, seen, order);
        }
        for (String want : optional) {
            visit(lookup(want, byName, byAlias), byName, byAlias, seen, order);
        }
        Set<String> paths = new HashSet<>();
        order.forEach(k -> paths.add(k.path()));
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        eachFile(deb, (name, in) -> {
            if (paths.contains(name.substring(1))) {
                bytes.put(name.substring(1), in.readAllBytes());
            }
        });
        return new Contents(version[0], vmlinuz[0], List.copyOf(order), bytes);
    }

    private static KernelModule lookup(String name, Map<String, KernelModule> byName,
                                       Map<String, KernelModule> byAlias) {
        KernelModule k = byName.get(name.replace('-', '_'));
        return k != null ? k : byAlias.get(name);
    }

    /** Post-order: soft pre-dependencies and dependencies before the module itself; built-in ones are absent. */
    private static void visit(KernelModule k, Map<String, KernelModule> byName, Map<String, KernelModule> byAlias,
                              Set<String> seen, List<KernelModule> order) {
        if (k == null || !seen.add(k.name())) {
            return;
        }
        for (String s : k.softPre()) {
            visit(lookup(s, byName, byAlias), byName, byAlias, seen, order);
        }
        for (String d : k.depends()) {
            visit(lookup(d, byName, byAlias), byName, byAlias, seen, order);
        }
        order.add(k);
    }

    private interface FileVisitor {
        void visit(String name, InputStream in) throws IOException;
    }

    private static void eachFile(Path deb, FileVisitor visitor) throws IOException {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            ArArchiveEntry e;
            while ((e = ar.getNextEntry()) != null) {
                String n = e.getName();
                if (!n.startsWith("data.tar")) {
                    continue;
                }
                InputStream data = switch (n) {
                    case "data.tar.xz" -> new XZInputStream(ar);
                    case "data.tar.gz" -> new GZIPInputStream(ar);
                    case "data.tar" -> ar;
                    default -> throw new UnsupportedImageException(deb + ": " + n + " is not supported; Debian's"
                            + " kernel packages use data.tar.xz");
                };
                try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(data, 1 << 16))) {
                    TarArchiveEntry t;
                    while ((t = tar.getNextEntry()) != null) {
                        if (t.isFile()) {
                            visitor.visit(t.getName(), tar);
                        }
                    }
                }
                return;
            }
        } catch (IOException e) {
            if (e instanceof hydrapi.HydrapiException) {
                throw e;
            }
            throw new CorruptImageException(deb + ": not a readable Debian package (" + e.getMessage() + ")");
        }
        throw new InvalidInputException(deb + ": no data.tar member; not a Debian package");
    }
}
