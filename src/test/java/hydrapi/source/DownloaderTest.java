// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private byte[] payload;
    private final AtomicInteger fullRequests = new AtomicInteger();
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean dropFirst = true;
    private volatile boolean honourRange = true;

    @BeforeEach
    void start() throws IOException {
        payload = new byte[5 << 20];
        new Random(99).nextBytes(payload);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/latest", ex -> {
            ex.getResponseHeaders().add("Location", "/images/base.img.xz");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/images/base.img.xz", this::serve);
        server.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serve(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("ETag", "\"v1\"");
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "-" : range + " if-range=" + ex.getRequestHeaders().getFirst("If-Range"));
        int from = 0;
        if (range != null && honourRange) {
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (payload.length - 1) + "/" + payload.length);
            ex.sendResponseHeaders(206, payload.length - from);
        } else {
            fullRequests.incrementAndGet();
            ex.sendResponseHeaders(200, payload.length);
        }
        OutputStream out = ex.getResponseBody();
        if (from == 0 && dropFirst) {
            dropFirst = false;
            out.write(payload, 0, payload.length / 2);
            out.flush();
            // closing short of Content-Length makes the server drop the connection
            ex.close();
            return;
        }
        out.write(payload, from, payload.length - from);
        ex.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static String sha256sum(Path f) throws IOException {
        return new String(Oracles.check("sha256sum", f.toString()), StandardCharsets.US_ASCII).split(" ")[0];
    }

    private String expectedSha() throws IOException {
        Path ref = Files.write(dir.resolve("reference"), payload);
        return sha256sum(ref);
    }

    @Test
    void fetch_resumesAfterDroppedConnectionThroughRedirect() throws IOException {
        List<long[]> seen = new ArrayList<>();
        Path cache = dir.resolve("cache");
        Path got = new Downloader(cache, "hydrapi-test").fetch(uri("/latest"), "base.img.xz",
                (done, total) -> seen.add(new long[] {done, total}));
        assertEquals(cache.resolve("base.img.xz"), got);
        assertEquals(expectedSha(), sha256sum(got));
        assertEquals(1, fullRequests.get(), "second request must be a range request: " + ranges);
        assertEquals(2, ranges.size(), ranges.toString());
        assertTrue(ranges.get(1).matches("bytes=\\d+- if-range=\"v1\""), ranges.toString());
        assertFalse(Files.exists(cache.resolve("base.img.xz.part")));
        long[] lastSeen = seen.get(seen.size() - 1);
        assertEquals(payload.length, lastSeen[0]);
        assertEquals(payload.length, lastSeen[1]);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i)[0] >= seen.get(i - 1)[0] || seen.get(i)[0] > 0, "progress");
        }
    }

    @Test
    void fetch_continuesAPartFileLeftByAnEarlyRun() throws IOException {
        dropFirst = false;
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Files.write(cache.resolve("base.img.xz.part"), java.util.Arrays.copyOf(payload, 1_000_000));
        Path got = new Downloader(cache, "hydrapi-test").fetch(uri("/images/base.img.xz"), null, Downloader.Progress.NONE);
        assertEquals(expectedSha(), sha256sum(got));
        assertEquals(List.of("bytes=1000000- if-range=null"), ranges);
        // cached: no further request
        new Downloader(cache, "hydrapi-test").fetch(uri("/images/base.img.xz"), null, Downloader.Progress.NONE);
        assertEquals(1, ranges.size());
    }

    @Test
    void fetch_serverIgnoringRangeRestartsFromZero() throws IOException {
        honourRange = false;
        Path got = new Downloader(dir.resolve("c"), "t").fetch(uri("/images/base.img.xz"), "x", Downloader.Progress.NONE);
        assertEquals(expectedSha(), sha256sum(got));
        assertEquals(2, fullRequests.get());
    }

    @Test
    void fetch_404FailsAtOnceWithOneLine() {
        IOException e = assertThrows(IOException.class,
                () -> new Downloader(dir.resolve("c"), "t").fetch(uri("/missing"), "m", Downloader.Progress.NONE));
        assertTrue(e.getMessage().contains("HTTP 404") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void get_readsSmallResourcesUncachedAndCapsTheirSize() throws IOException {
        dropFirst = false;
        Downloader d = new Downloader(dir.resolve("c"), "t");
        byte[] got = d.get(uri("/latest"), payload.length);
        assertTrue(java.util.Arrays.equals(payload, got));
        d.get(uri("/latest"), payload.length);
        assertEquals(2, fullRequests.get(), "not cached");
        assertThrows(IOException.class, () -> d.get(uri("/latest"), 1000));
        assertThrows(IOException.class, () -> d.get(uri("/missing"), 1000));
        assertFalse(Files.exists(dir.resolve("c")));
    }

    @Test
    void target_rejectsPathsInNames() {
        assertThrows(hydrapi.InvalidInputException.class, () -> new Downloader(dir, "t").target("../x"));
        assertThrows(hydrapi.InvalidInputException.class, () -> new Downloader(dir, "t").target(".."));
    }
}
