// SPDX-License-Identifier: Apache-2.0
package hydrapi.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {

    @TempDir
    Path dir;

    @Test
    void parse_acceptsRfc8259Values() throws InvalidInputException {
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(
                " {\"a\" : [1, -0, 2.5e3, true, false, null, \"x\\u00e9\\n\\/\"], \"b\":{}}\r\n", "t");
        List<?> a = (List<?>) m.get("a");
        assertEquals(List.of(1L, 0L, new BigDecimal("2.5e3"), true, false, JsonValue.NULL, "xé\n/"), a);
        assertEquals(Map.of(), m.get("b"));
        assertEquals(12345678901234567890.0,
                ((BigDecimal) JsonReader.parse("12345678901234567890", "t")).doubleValue());
        assertEquals("\ud83d\ude00", JsonReader.parse("\"\\ud83d\\ude00\"", "t"));
    }

    @Test
    void parse_refusesNumbersBeyondItsLimits() {
        // RFC 8259 §9 lets a parser limit the range of numbers; found by JsonTest's mutations (seed 14975703937849).
        for (String big : new String[] {"1e99999999999", "[-2.5E-99999999999]"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> JsonReader.parse(big, "in.json"),
                    big);
            assertTrue(e.getMessage().contains("number out of range"), e.getMessage());
        }
    }

    @Test
    void parse_rejectsWhatRfc8259Forbids() {
        for (String bad : new String[] {"", " ", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "1e", "+1",
                "\"a\tb\"", "\"\\x\"", "\"\\u12g4\"", "'a'", "{a:1}", "[1 2]", "tru", "nul", "NaN", "Infinity",
                "1 2", "{\"a\":1,\"a\":2}", "\"abc", "[".repeat(300) + "]".repeat(300), "{\"a\" 1}"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> JsonReader.parse(bad, "in.json"),
                    bad);
            assertTrue(e.getMessage().startsWith("in.json: not valid JSON at line "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void write_roundTripsThroughPythonJson() throws IOException {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("JsonTest.write seed " + seed + " (replay: -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int round = 0; round < 5; round++) {
            Object value = randomValue(rnd, 0);
            Path f = dir.resolve("v" + round + ".json");
            Files.writeString(f, JsonWriter.write(value), StandardCharsets.UTF_8);
            // python's strict reader re-emits it compactly; our reader must get the same value back
            byte[] py = Oracles.check("python3", "-c", "import json,sys\n"
                    + "sys.stdout.write(json.dumps(json.load(open(sys.argv[1],encoding='utf-8')),ensure_ascii=True))",
                    f.toString());
            assertEquals(value, JsonReader.parse(new String(py, StandardCharsets.UTF_8), "python"), "seed " + seed);
        }
    }

    @Test
    void parse_mutatedTextIsRejectedWheneverPythonRejectsIt() throws IOException {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("JsonTest.fuzz seed " + seed + " (replay: -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        String base = JsonWriter.write(randomValue(rnd, 0));
        String alphabet = "{}[],:\"\\ 0-1.eE+tfnu\n\t\u0001é";
        List<String> cases = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder(base);
            int edits = 1 + rnd.nextInt(3);
            for (int e = 0; e < edits && sb.length() > 0; e++) {
                int at = rnd.nextInt(sb.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    default -> sb.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            cases.add(sb.toString());
        }
        StringBuilder hex = new StringBuilder();
        for (String c : cases) {
            hex.append(HexFormat.of().formatHex(c.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        Path f = Files.writeString(dir.resolve("cases.hex"), hex);
        String verdicts = new String(Oracles.check("python3", "-c", "import json,sys\n"
                + "for l in open(sys.argv[1]):\n"
                + "  t=bytes.fromhex(l.strip()).decode('utf-8')\n"
                + "  try:\n"
                + "    json.loads(t); print(1)\n"
                + "  except ValueError:\n"
                + "    print(0)\n", f.toString()), StandardCharsets.US_ASCII);
        String[] v = verdicts.split("\n");
        int rejected = 0;
        for (int i = 0; i < cases.size(); i++) {
            boolean ours;
            try {
                JsonReader.parse(cases.get(i), "fuzz");
                ours = true;
            } catch (InvalidInputException e) {
                ours = false;
                rejected++;
            }
            if (v[i].equals("0")) {
                assertEquals(false, ours, "python rejects but we accept (seed " + seed + "): " + cases.get(i));
            }
        }
        assertTrue(rejected > 100, "mutations should mostly break the text: " + rejected);
    }

    private static Object randomValue(Random rnd, int depth) {
        int kind = depth > 3 ? rnd.nextInt(4) : rnd.nextInt(6);
        switch (kind) {
            case 0:
                return rnd.nextLong() >> rnd.nextInt(64);
            case 1:
                StringBuilder sb = new StringBuilder();
                int n = rnd.nextInt(12);
                for (int i = 0; i < n; i++) {
                    int pick = rnd.nextInt(10);
                    sb.append(pick == 0 ? (char) rnd.nextInt(0x20) : pick == 1 ? '"' : pick == 2 ? '\\'
                            : pick == 3 ? 'é' : pick == 4 ? '\u2028' : (char) ('a' + rnd.nextInt(26)));
                }
                return sb.toString();
            case 2:
                return rnd.nextBoolean();
            case 3:
                return JsonValue.NULL;
            case 4: {
                List<Object> l = new ArrayList<>();
                int len = rnd.nextInt(4);
                for (int i = 0; i < len; i++) {
                    l.add(randomValue(rnd, depth + 1));
                }
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                int len = rnd.nextInt(4);
                for (int i = 0; i < len; i++) {
                    m.put("k" + rnd.nextInt(1000), randomValue(rnd, depth + 1));
                }
                return m;
            }
        }
    }
}
