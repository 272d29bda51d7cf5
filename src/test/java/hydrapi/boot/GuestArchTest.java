// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.UnsupportedImageException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class GuestArchTest {

    private static byte[] elf(int elfClass, int machine) {
        byte[] b = new byte[64];
        b[0] = 0x7F;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        b[4] = (byte) elfClass;
        b[5] = 1;
        b[0x12] = (byte) machine;
        b[0x13] = (byte) (machine >> 8);
        return b;
    }

    @Test
    void ofElf_thisJvmsOwnLauncher_isTheHostArch() throws Exception {
        // The host's java binary, whatever wrote it: the reader agrees with the machine it runs on.
        byte[] java = Files.readAllBytes(Path.of(System.getProperty("java.home"), "bin", "java"));
        String a = System.getProperty("os.arch");
        GuestArch expected = a.equals("aarch64") ? GuestArch.ARM64 : GuestArch.X86_64;
        assertEquals(expected, GuestArch.ofElf(java, "java"));
    }

    @Test
    void ofElf_machines() throws Exception {
        assertEquals(GuestArch.X86_64, GuestArch.ofElf(elf(2, 0x3E), "x"));
        assertEquals(GuestArch.ARM64, GuestArch.ofElf(elf(2, 0xB7), "x"));
    }

    @Test
    void ofElf_armhfAndNonElf_areRefusedByName() {
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                () -> GuestArch.ofElf(elf(1, 0x28), "/usr/bin/env"));
        assertTrue(e.getMessage().contains("32-bit ARM (armhf)"), e.getMessage());
        e = assertThrows(UnsupportedImageException.class, () -> GuestArch.ofElf("#!/bin/sh\n".getBytes(), "/bin/sh"));
        assertTrue(e.getMessage().contains("not an ELF"), e.getMessage());
    }
}
