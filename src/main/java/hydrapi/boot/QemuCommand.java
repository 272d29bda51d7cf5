// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line of a trial boot: direct kernel boot, the disk as virtio-blk, the serial console on stdio,
 * QMP on a unix socket, no default devices (so no network card unless asked). Options: qemu-system(1), "Direct
 * Linux Boot" and docs/system/arm/virt.rst.
 */
record QemuCommand(GuestArch arch, Path qemu, boolean kvm, int cpus, int memoryMiB, Path kernel, Path initrd,
                   String append, Path disk, Path qmpSocket, boolean userNetwork) {

    /** The same command with QMP on {@code socket} (a fresh one per boot). */
    QemuCommand withQmpSocket(Path socket) {
        return new QemuCommand(arch, qemu, kvm, cpus, memoryMiB, kernel, initrd, append, disk, socket, userNetwork);
    }

    List<String> toList() {
        List<String> c = new ArrayList<>(List.of(qemu.toString(), "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-smp", Integer.toString(cpus), "-m", Integer.toString(memoryMiB)));
        switch (arch) {
            // Without arch-capabilities: a nested KVM (a CI runner in a VM) refuses to set MSR 0x10a
            // (IA32_ARCH_CAPABILITIES) and QEMU aborts at start; the guest does not need it.
            case X86_64 -> c.addAll(List.of("-machine", "q35", "-accel", kvm ? "kvm" : "tcg,thread=multi",
                    "-cpu", kvm ? "host,-arch-capabilities" : "max"));
            // cortex-a72 is the Pi 4's core; KVM on an arm64 host takes the host's.
            case ARM64 -> c.addAll(List.of("-machine", "virt", "-accel", kvm ? "kvm" : "tcg,thread=multi",
                    "-cpu", kvm ? "host" : "cortex-a72"));
        }
        c.addAll(List.of("-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append));
        // cache=unsafe: the host does not crash in this model; a killed QEMU loses exactly what the guest had not
        // yet written to its disk, which is what a power cut on a Pi loses, and fsyncs cost nothing.
        c.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=none,id=disk0,cache=unsafe,discard=unmap",
                "-device", "virtio-blk-pci,drive=disk0",
                // Entropy for the guest's early boot (sshd keys, PostgreSQL) instead of waiting for it.
                "-device", "virtio-rng-pci"));
        if (userNetwork) {
            c.addAll(List.of("-nic", "user,model=virtio-net-pci"));
        }
        return List.copyOf(c);
    }
}
