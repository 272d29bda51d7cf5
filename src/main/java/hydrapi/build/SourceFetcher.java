// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import hydrapi.InvalidInputException;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads a source tarball named by URL into the user's cache directory (following redirects), once: a later
 * build with the same URL reuses the cached file. Only complete downloads are renamed into the cache. The caller
 * checks the content hash, so a cached file is never trusted by name alone.
 */
public final class SourceFetcher {

    private SourceFetcher() {
    }

    public static boolean isUrl(String s) {
        return s.startsWith("http://") || s.startsWith("https://");
    }

    static Path fetch(String url, Path cacheDir, ProgressListener progress) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--hydra-source " + url + ": not a valid URL");
        }
        String key = HexFormat.of().formatHex(Sha256Sums.newDigest().digest(url.getBytes(StandardCharsets.UTF_8)));
        String name = uri.getPath() == null ? "" : uri.getPath().replaceAll(".*/", "");
        Path dir = Files.createDirectories(cacheDir.resolve("sources"));
        Path cached = dir.resolve(key.substring(0, 16) + "-" + (name.isEmpty() ? "source" : name));
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build();
        Path tmp = Files.createTempFile(dir, ".download-", ".part");
        try {
            HttpResponse<InputStream> resp;
            try {
                resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("download of " + url + " interrupted");
            }
            if (resp.statusCode() != 200) {
                resp.body().close();
                throw new InvalidInputException("--hydra-source " + url + ": the server answered HTTP "
                        + resp.statusCode());
            }
            long total = resp.headers().firstValueAsLong("content-length").orElse(0);
            java.util.function.LongConsumer p = progress.phase("download " + name, total);
            try (InputStream in = resp.body(); var out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    done += n;
                    p.accept(done);
                }
            }
            Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return cached;
        } catch (java.net.ConnectException e) {
            throw new IOException("--hydra-source " + url + ": cannot connect (" + e.getMessage() + ")", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
