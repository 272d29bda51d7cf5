// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** What try needs from the machine it runs on: QEMU binaries on PATH, KVM, cores. */
public final class Host {

    private final Map<String, String> env;
    private final Path kvmDevice;
    private final Path sysModule;
    private final String osArch;
    private final int cpus;

    public Host(Map<String, String> env, Path kvmDevice, Path sysModule, String osArch, int cpus) {
        this.env = env;
        this.kvmDevice = kvmDevice;
        this.sysModule = sysModule;
        this.osArch = osArch;
        this.cpus = cpus;
    }

    public static Host current(Map<String, String> env) {
        return new Host(env, Path.of("/dev/kvm"), Path.of("/sys/module"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
    }

    /** The QEMU system emulator for {@code arch}, or a one-line error naming the Debian package. */
    Path qemu(GuestArch arch) throws IOException {
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, arch.qemuBinary);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        // A host program missing: an I/O error on the host (exit 6), said in one line with the package to install.
        throw new IOException(arch.qemuBinary + " not found on PATH; install the Debian package " + arch.qemuPackage
                + " (apt-get install " + arch.qemuPackage + ")");
    }

    /**
     * KVM needs a guest of the host's own architecture, a /dev/kvm this user may open read-write and, on x86, the
     * hardware-virtualization module (kvm_intel or kvm_amd): a /dev/kvm served by kvm_pvm alone (PVM, nested
     * virtualization in some cloud VMs) runs only kernels built as PVM guests, and a stock kernel hangs there before
     * printing a line.
     */
    boolean kvmFor(GuestArch arch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        boolean same = switch (arch) {
            case X86_64 -> (a.equals("amd64") || a.equals("x86_64"))
                    && (Files.isDirectory(sysModule.resolve("kvm_intel")) || Files.isDirectory(sysModule.resolve("kvm_amd")));
            case ARM64 -> a.equals("aarch64") || a.equals("arm64");
        };
        return same && Files.isReadable(kvmDevice) && Files.isWritable(kvmDevice);
    }

    /** Why {@link #kvmFor} said no, for the warning. */
    String noKvmReason(GuestArch arch) {
        if (!Files.exists(kvmDevice)) {
            return "no /dev/kvm";
        }
        if (!Files.isReadable(kvmDevice) || !Files.isWritable(kvmDevice)) {
            return "/dev/kvm is not read-write for this user (join group kvm)";
        }
        if (arch == GuestArch.X86_64 && Files.isDirectory(sysModule.resolve("kvm_pvm"))) {
            return "/dev/kvm is PVM (kvm_pvm), which runs only PVM-built guest kernels";
        }
        return arch.debianName + " guest, " + osArch + " host";
    }

    int cpus() {
        return cpus;
    }
}
