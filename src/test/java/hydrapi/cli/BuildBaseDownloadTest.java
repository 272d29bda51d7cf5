// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.trust.OpenPgpVerifier;
import hydrapi.testkit.Gpg;
import hydrapi.testkit.ManifestOracle;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's acceptance for {@code --base latest|URL}: a release folder laid out like downloads.raspberrypi.com, served
 * on 127.0.0.1, its .sha256 made by sha256sum and its .sig by gpg with a test key standing in for Raspberry Pi's.
 * gpg judges the output signatures; jq, sha256sum, mtools and debugfs judge the manifest.
 */
class BuildBaseDownloadTest {

    private static final String FOLDER = "/raspios_lite_arm64/images/raspios_lite_arm64-2025-12-04/";
    private static final String NAME = "2025-12-04-raspios-trixie-arm64-lite.img.xz";

    @TempDir
    static Path keys;
    static Gpg gpg;
    static String piFpr;
    static String otherFpr;
    static Path piPub;
    static Path builderSecret;
    static String builderFpr;
    static byte[] image;
    static byte[] sha256Line;
    static byte[] goodSig;
    static byte[] otherSig;

    @TempDir
    Path tmp;
    private HttpServer server;
    /** What the server answers per path; a missing path is a 404. */
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void release() throws IOException {
        gpg = new Gpg();
        piFpr = gpg.generate("Raspberry Pi Downloads Test Key <test@example.invalid>", "rsa2048", "sign", "");
        otherFpr = gpg.generate("Mallory <m@example.invalid>", "ed25519", "sign", "");
        builderFpr = gpg.generate("Builder <b@example.invalid>", "rsa2048", "sign", "pw");
        piPub = gpg.exportPublic(piFpr, true, keys.resolve("pi.pub"));
        builderSecret = gpg.exportSecret(builderFpr, "pw", keys.resolve("builder.sec"));
        Path folder = Files.createDirectories(keys.resolve("release"));
        Path img = Files.copy(Samples.sampleXz(), folder.resolve(NAME));
        image = Files.readAllBytes(img);
        sha256Line = Oracles.run(List.of("sha256sum", NAME), folder, Map.of()).stdout();
        gpg.check("--passphrase", "", "--local-user", piFpr, "--output", img + ".sig", "--detach-sign", img.toString());
        goodSig = Files.readAllBytes(Path.of(img + ".sig"));
        gpg.check("--passphrase", "", "--local-user", otherFpr, "--output", img + ".other", "--detach-sign",
                img.toString());
        otherSig = Files.readAllBytes(Path.of(img + ".other"));
    }

    @AfterAll
    static void stopAgent() throws IOException {
        gpg.close();
    }

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            byte[] body = served.get(path);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
        served.put(FOLDER + NAME, image);
        served.put(FOLDER + NAME + ".sha256", sha256Line);
        served.put(FOLDER + NAME + ".sig", goodSig);
        served.put("/os_list.json", osList(ManifestOracle.sha256sum(image, keys)).getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** An OS list shaped like Raspberry Pi's: categories with subitems, an older Lite and a desktop image. */
    private String osList(String downloadSha) {
        String lite = "{\"name\": \"Raspberry Pi OS Lite (64-bit)\", \"description\": \"d\", \"icon\": \"i\","
                + " \"url\": \"" + base() + FOLDER + NAME + "\", \"extract_size\": 88080384, \"extract_sha256\": \""
                + "1".repeat(64) + "\", \"image_download_size\": " + image.length + ", \"image_download_sha256\": \""
                + downloadSha + "\", \"release_date\": \"2025-12-04\", \"devices\": []}";
        String older = lite.replace(FOLDER + NAME, "/raspios_lite_arm64/images/old/2024-11-19-raspios-bookworm-arm64-lite"
                + ".img.xz").replace("2025-12-04\"", "2024-11-19\"");
        String desktop = lite.replace("raspios_lite_arm64", "raspios_arm64").replace("2025-12-04\"", "2026-01-01\"");
        return "{\"imager\": {}, \"os_list\": [" + desktop + ", {\"name\": \"Raspberry Pi OS (other)\","
                + " \"description\": \"c\", \"subitems\": [" + older + ", " + lite + "]}]}";
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_DATE_EPOCH", "1700000000");
        env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        env.put("HYDRAPI_SIGN_PASSPHRASE", "pw");
        return env;
    }

    private Cli.Run build(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--out", out.toString(), "--ssh"));
        args.addAll(List.of(extra));
        return Cli.run(env(), args.toArray(String[]::new));
    }

    private Path outDir() throws IOException {
        return Files.createDirectories(tmp.resolve("out"));
    }

    /** The cached copy of the served image, if any. */
    private List<Path> cachedImages() throws IOException {
        Path bases = tmp.resolve("cache/hydrapi/bases");
        if (!Files.isDirectory(bases)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(bases)) {
            return s.filter(p -> p.getFileName().toString().equals(NAME)).toList();
        }
    }

    /** One line on stderr naming the cause, the documented code, nothing in the output directory. */
    private void assertRefused(Cli.Run r, int code, String needle) throws IOException {
        assertEquals(code, r.exitCode(), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: ") && r.stderr().contains(needle), r.stderr());
        try (Stream<Path> s = Files.list(outDir())) {
            assertEquals(List.of(), s.toList(), "output left behind");
        }
    }

    @Test
    void latest_goodRelease_buildsSignedWithAManifestEveryToolAgreesWith() throws Exception {
        Oracles.check("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test", "-f",
                tmp.resolve("k").toString());
        Path out = outDir().resolve("hydra.img.xz");
        Cli.Run r = build(out, "--base", "latest", "--os-list", base() + "/os_list.json", "--base-key",
                piPub.toString(), "--user", "alice", "--ssh-key", tmp.resolve("k.pub").toString(), "--sign-key",
                builderSecret.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr(), "a verified base warrants no warning");
        Path manifest = out.resolveSibling("hydra.img.xz.manifest.json");
        for (Path signed : new Path[] {out, manifest}) {
            Oracles.Result v = gpg.run("--verify", signed + ".asc", signed.toString());
            assertTrue(v.exitCode() == 0 && v.all().contains("Good signature"), v.all());
        }
        Oracles.check("jq", "-e", ".base.name == \"" + NAME + "\" and .base.url == \"" + base() + FOLDER + NAME
                + "\" and .base.signature == \"verified\" and .base.signer == \"" + piFpr + "\" and .base.sha256 == \""
                + ManifestOracle.sha256sum(image, tmp) + "\" and (.recipes | map(.name)) == [\"hydra-server\", \"raspberry-pi-boot\"]"
                + " and .recipes[0].facts.pin == \"modern\" and (.recipes[0].facts.hydra_rev | startswith(\"241ab718\"))"
                + " and .source_date_epoch == 1700000000", manifest.toString());

        Path raw = tmp.resolve("hydra.img");
        Oracles.xzDecompress(out, raw);
        assertArrayEquals(Files.readAllBytes(manifest),
                Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/hydrapi/manifest.json"));
        int checked = ManifestOracle.assertMatchesImage(manifest, raw, tmp);
        List<String> listed = ManifestOracle.paths(manifest).stream().map(ManifestOracle.Listed::path).toList();
        assertTrue(checked > 30 && listed.containsAll(List.of("/etc/passwd", "/etc/shadow", "/home/alice/.ssh/"
                + "authorized_keys", "/etc/hydra/hydra.env", "/boot/firmware/ssh")), listed.toString());
        assertFalse(listed.contains("/etc/hydrapi/manifest.json"), "a file cannot list its own hash");
        Cli.Run shown = Cli.run("inspect", out.toString(), "--manifest");
        assertEquals(0, shown.exitCode(), shown.stderr());
        assertArrayEquals(Files.readAllBytes(manifest), shown.stdout());

        // The download stays in the cache beside its sidecars, as Raspberry Pi publish them; a second build by
        // URL uses it without fetching the image again, and checks it again all the same.
        Path cached = cachedImages().get(0);
        Oracles.assertSha256sumOk(cached.resolveSibling(NAME + ".sha256"));
        assertEquals(0, gpg.run("--verify", cached + ".sig", cached.toString()).exitCode());
        long imageFetches = requests.stream().filter(p -> p.equals(FOLDER + NAME)).count();
        Path again = outDir().resolve("again.img.xz");
        Cli.Run r2 = build(again, "--base", base() + FOLDER + NAME, "--base-key", piPub.toString(), "--quiet");
        assertEquals(0, r2.exitCode(), r2.stderr());
        assertEquals(imageFetches, requests.stream().filter(p -> p.equals(FOLDER + NAME)).count());
        Oracles.check("jq", "-e", ".base.signature == \"verified\"", again + ".manifest.json");
    }

    @Test
    void latest_tamperedImage_isRefusedAsCorrupt_andDroppedFromTheCache() throws Exception {
        byte[] tampered = image.clone();
        tampered[tampered.length / 2] ^= 1;
        served.put(FOLDER + NAME, tampered);
        Cli.Run r = build(outDir().resolve("o.img.xz"), "--base", "latest", "--os-list", base() + "/os_list.json",
                "--base-key", piPub.toString());
        assertRefused(r, 4, "SHA-256");
        assertEquals(List.of(), cachedImages(), "a file that failed its check must not stay in the cache");
    }

    @Test
    void url_wrongSha256Sidecar_isRefusedAsCorrupt() throws Exception {
        served.put(FOLDER + NAME + ".sha256", ("0".repeat(64) + "  " + NAME + "\n").getBytes(StandardCharsets.UTF_8));
        Cli.Run r = build(outDir().resolve("o.img.xz"), "--base", base() + FOLDER + NAME, "--base-key",
                piPub.toString());
        assertRefused(r, 4, NAME + ".sha256");
    }

    @Test
    void latest_osListHashDisagrees_isRefusedAsCorrupt() throws Exception {
        served.put("/os_list.json", osList("2".repeat(64)).getBytes(StandardCharsets.UTF_8));
        Cli.Run r = build(outDir().resolve("o.img.xz"), "--base", "latest", "--os-list", base() + "/os_list.json",
                "--base-key", piPub.toString());
        assertRefused(r, 4, "OS list");
    }

    @Test
    void latest_signatureByAnotherKey_isRefused() throws Exception {
        served.put(FOLDER + NAME + ".sig", otherSig);
        Cli.Run r = build(outDir().resolve("o.img.xz"), "--base", "latest", "--os-list", base() + "/os_list.json",
                "--base-key", piPub.toString());
        assertRefused(r, 1, "not by a key in");
        assertEquals(List.of(), cachedImages());
    }

    @Test
    void latest_missingSignature_isRefusedBeforeTheImageIsFetched_unlessInsecure() throws Exception {
        served.remove(FOLDER + NAME + ".sig");
        Cli.Run r = build(outDir().resolve("o.img.xz"), "--base", "latest", "--os-list", base() + "/os_list.json",
                "--base-key", piPub.toString());
        assertRefused(r, 1, "--insecure");
        assertFalse(requests.contains(FOLDER + NAME), "the image must not be downloaded: " + requests);

        Path out = outDir().resolve("insecure.img.xz");
        Cli.Run ok = build(out, "--base", "latest", "--os-list", base() + "/os_list.json", "--base-key",
                piPub.toString(), "--insecure");
        assertEquals(0, ok.exitCode(), ok.stderr());
        assertTrue(ok.stderr().matches("hydrapi: warning: base " + NAME.replace(".", "\\.")
                + " was published without a signature[^\n]*unsigned-insecure\n"), ok.stderr());
        Oracles.check("jq", "-e", ".base.signature == \"unsigned-insecure\" and .base.signer == null",
                out + ".manifest.json");
    }

    @Test
    void latest_withoutAnyKey_isRefusedWithoutTouchingTheNetwork_namingWhereTheKeyIs() throws Exception {
        // This build ships no Raspberry Pi key (it could not be obtained and checked where it was made).
        if (OpenPgpVerifier.class.getResource(OpenPgpVerifier.RASPBERRY_PI_KEY_RESOURCE) != null) {
            return;
        }
        Cli.Run r = build(outDir().resolve("o.img.xz"), "--base", "latest", "--os-list", base() + "/os_list.json");
        assertRefused(r, 2, "https://www.raspberrypi.org/raspberrypi_downloads.gpg.key");
        assertTrue(r.stderr().contains(OpenPgpVerifier.RASPBERRY_PI_FINGERPRINT) && r.stderr().contains("--base-key"),
                r.stderr());
        assertEquals(List.of(), requests);
    }

    @Test
    void base_optionsOnlyLatestTakes_areUsageErrors() throws Exception {
        assertRefused(build(outDir().resolve("o.img.xz"), "--base", Samples.sampleXz().toString(), "--arch", "armhf"),
                2, "--arch applies to --base latest only");
        assertRefused(build(outDir().resolve("o.img.xz"), "--base", "latest", "--arch", "riscv64"), 2, "arm64 or armhf");
        assertRefused(build(outDir().resolve("o.img.xz"), "--base", "latest", "--os-list", "ftp://x/os_list.json"),
                2, "not a valid http(s) URL");
    }
}
