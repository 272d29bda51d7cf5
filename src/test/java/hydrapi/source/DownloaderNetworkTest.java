// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download that cannot work says why, after pauses that grow; proxies come from the environment as curl's do. */
class DownloaderNetworkTest {

    @TempDir
    Path dir;

    private HttpServer proxy;
    private final List<String> proxied = new CopyOnWriteArrayList<>();
    private final byte[] body = "through the proxy\n".getBytes(StandardCharsets.US_ASCII);

    /** An HTTP proxy as far as plain http goes: it answers the absolute-form request itself. */
    @BeforeEach
    void startProxy() throws IOException {
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", ex -> {
            proxied.add(ex.getRequestURI().toString());
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        proxy.start();
    }

    @AfterEach
    void stopProxy() {
        proxy.stop(0);
    }

    private String proxyUrl() {
        return "http://127.0.0.1:" + proxy.getAddress().getPort();
    }

    @Test
    void refusedConnection_saysSo_afterGrowingPauses() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Downloader d = new Downloader(dir, "t", 3, Duration.ofMillis(200), Map.of());
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> d.fetch(URI.create("http://127.0.0.1:" + port + "/b.img"),
                "b.img", Downloader.Progress.NONE));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().startsWith("http://127.0.0.1:" + port + "/b.img: download failed after 3 attempts"
                + " (Connection refused at 127.0.0.1:" + port + "); run again to resume from "), e.getMessage());
        assertTrue(millis >= 600, "paused 200 + 400 ms between the attempts, took " + millis);
        assertThrows(IOException.class, () -> d.get(URI.create("http://127.0.0.1:" + port + "/list.json"), 100));
    }

    @Test
    void unresolvableHost_saysSo() throws Exception {
        Downloader d = new Downloader(dir, "t", 2, Duration.ofMillis(1), Map.of());
        IOException e = assertThrows(IOException.class, () -> d.get(URI.create("http://hydrapi-test.invalid/x"), 100));
        assertEquals("http://hydrapi-test.invalid/x: download failed after 2 attempts (the host name does not"
                + " resolve: no network, or no DNS)", e.getMessage());
    }

    @Test
    void httpProxy_fromTheEnvironment_isUsed() throws Exception {
        Downloader d = new Downloader(dir, "t", 1, Duration.ofMillis(1), Map.of("http_proxy", proxyUrl()));
        Path got = d.fetch(URI.create("http://hydrapi-test.invalid/images/b.img"), "b.img", Downloader.Progress.NONE);
        assertArrayEquals(body, Files.readAllBytes(got));
        assertEquals(List.of("http://hydrapi-test.invalid/images/b.img"), proxied);
    }

    @Test
    void noProxy_domain_goesDirect_andTheMessageSaysNoProxy() throws Exception {
        Downloader d = new Downloader(dir, "t", 1, Duration.ofMillis(1),
                Map.of("HTTP_PROXY", proxyUrl(), "no_proxy", "localhost,.invalid"));
        IOException e = assertThrows(IOException.class, () -> d.get(URI.create("http://hydrapi-test.invalid/x"), 100));
        assertEquals(List.of(), proxied);
        assertTrue(e.getMessage().contains("after 1 attempts (the host name"), e.getMessage());
        Downloader viaProxy = new Downloader(dir, "t", 1, Duration.ofMillis(1),
                Map.of("http_proxy", "http://127.0.0.1:9"));
        IOException p = assertThrows(IOException.class, () -> viaProxy.get(URI.create("http://example.invalid/x"), 9));
        assertTrue(p.getMessage().contains("after 1 attempts through proxy 127.0.0.1:9 ("), p.getMessage());
    }

    @Test
    void unsupportedProxies_refusedByName() {
        InvalidInputException socks = assertThrows(InvalidInputException.class,
                () -> new Downloader(dir, "t", 1, Duration.ZERO, Map.of("https_proxy", "socks5://h:1080")));
        assertEquals("https_proxy=socks5://h:1080: only HTTP proxies (http://HOST:PORT) are supported, not socks5;"
                + " unset it or point it at an HTTP proxy", socks.getMessage());
        InvalidInputException auth = assertThrows(InvalidInputException.class,
                () -> new Downloader(dir, "t", 1, Duration.ZERO, Map.of("http_proxy", "http://u:secret@h:3128")));
        assertTrue(auth.getMessage().startsWith("http_proxy: a proxy that needs a user name and password"),
                auth.getMessage());
        assertTrue(!auth.getMessage().contains("secret"), "no password in messages");
    }
}
