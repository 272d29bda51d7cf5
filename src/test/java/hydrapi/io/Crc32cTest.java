// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class Crc32cTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 17})
    void update_inChunksMatchesJdk(int chunk) {
        byte[] data = new byte[4099];
        new Random(42).nextBytes(data);
        for (int len : new int[] {0, 1, 3, 16, 1000, data.length}) {
            int crc = ~0;
            for (int off = 0; off < len; off += chunk) {
                crc = Crc32c.update(crc, data, off, Math.min(chunk, len - off));
            }
            CRC32C jdk = new CRC32C();
            jdk.update(data, 0, len);
            assertEquals((int) jdk.getValue(), ~crc, "length " + len + " in chunks of " + chunk);
        }
    }

    @Test
    void update_chainsFromAnySeed() {
        byte[] a = "hello ".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "world".getBytes(StandardCharsets.US_ASCII);
        int mid = Crc32c.update(~0, a);
        CRC32C jdk = new CRC32C();
        jdk.update(a);
        jdk.update(b);
        assertEquals((int) jdk.getValue(), ~Crc32c.update(mid, b));
    }

    @Test
    void updateLe32AndZeros_matchByteFeeds() {
        byte[] le = {0x78, 0x56, 0x34, 0x12, 0, 0, 0};
        assertEquals(Crc32c.update(0x1234, le), Crc32c.updateZeros(Crc32c.updateLe32(0x1234, 0x12345678L), 3));
    }

    @Test
    void crc16_checkValue() {
        // CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF, no xorout): check value of "123456789" is 0x4B37.
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x4B37, Crc16.update(0xFFFF, check));
        int chunked = 0xFFFF;
        for (int off = 0; off < check.length; off += 7) {
            chunked = Crc16.update(chunked, check, off, Math.min(7, check.length - off));
        }
        assertEquals(0x4B37, chunked);
    }
}
