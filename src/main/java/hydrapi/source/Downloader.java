// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a URL into a cache directory, resuming an interrupted transfer from its {@code NAME.part} file with
 * an HTTP range request (RFC 9110 §14: {@code Range}, {@code 206 Partial Content}, {@code Content-Range},
 * {@code If-Range}). Redirects are followed except HTTPS to HTTP. Only a complete transfer is renamed to
 * {@code NAME}, and an existing {@code NAME} is returned as is: callers check it against a SHA-256 or a
 * signature, and delete it when that fails, so a file is never trusted for being in the cache.
 *
 * <p>A {@code .part} left by an earlier run is resumed without a validator, because none was stored; if the
 * server's file changed in between, the joined file fails the caller's hash check and must be deleted.
 *
 * <p>Failed attempts are retried after a growing pause (1, 2, 4, 8 s), and the final error gives the reason (the
 * host name that did not resolve, the refused connection), not just the count. Proxies come from the environment as
 * curl reads them ({@link ProxyEnv}).
 */
public final class Downloader {

    /** Bytes written so far and the total, or -1 when the server did not say. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long doneBytes, long totalBytes);
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    private final Path cacheDir;
    private final String userAgent;
    private final HttpClient client;
    private final int maxAttempts;
    private final Duration firstPause;
    private final ProxyEnv proxy;

    /**
     * @param userAgent sent as {@code User-Agent}, e.g. {@code hydrapi/0.1.0}: downloads.raspberrypi.com is
     *                  reported to answer 403 to some library default agents
     */
    public Downloader(Path cacheDir, String userAgent) throws InvalidInputException {
        this(cacheDir, userAgent, 5);
    }

    public Downloader(Path cacheDir, String userAgent, int maxAttempts) throws InvalidInputException {
        this(cacheDir, userAgent, maxAttempts, Duration.ofSeconds(1), System.getenv());
    }

    /** @param firstPause the pause after the first failed attempt, doubled after each further one (at most 30 s) */
    Downloader(Path cacheDir, String userAgent, int maxAttempts, Duration firstPause, Map<String, String> env)
            throws InvalidInputException {
        this.cacheDir = cacheDir;
        this.userAgent = userAgent;
        this.maxAttempts = maxAttempts;
        this.firstPause = firstPause;
        this.proxy = ProxyEnv.of(env);
        HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30));
        if (proxy != null) {
            b.proxy(proxy);
        }
        this.client = b.build();
    }

    /** The path {@code fetch(url, fileName, …)} uses for the finished file. */
    public Path target(String fileName) throws InvalidInputException {
        if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.equals(".")
                || fileName.equals("..")) {
            throw new InvalidInputException("download name \"" + fileName + "\" is not a plain file name");
        }
        return cacheDir.resolve(fileName);
    }

    /** Downloads {@code url} to {@code fileName} in the cache (the URL's last path segment if null). */
    public Path fetch(URI url, String fileName, Progress progress) throws IOException {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new InvalidInputException(url + ": only http and https URLs can be downloaded");
        }
        String name = fileName != null ? fileName : url.getPath().substring(url.getPath().lastIndexOf('/') + 1);
        Path target = target(name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(cacheDir);
        Path part = cacheDir.resolve(name + ".part");
        String validator = null;
        IOException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                pause(attempt, url);
            }
            try {
                Optional<String> v = attempt(url, part, validator, progress);
                if (v == null) {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    return target;
                }
                validator = v.orElse(null);
            } catch (ResumableException e) {
                last = e;
                validator = e.validator;
            } catch (HttpStatusException e) {
                throw e;
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                last = e;
                // keep the .part and its validator; the next attempt resumes
            }
        }
        throw new IOException(url + ": download failed after " + maxAttempts + " attempts" + via(url) + " ("
                + (last == null ? "server kept sending inconsistent ranges" : reason(last, url))
                + "); run again to resume from " + part);
    }

    /**
     * Like {@link #fetch}, but a file the server says does not exist (HTTP 404 or 410) yields null instead of an
     * error: for companions such as a {@code .sig} whose absence the caller judges itself.
     */
    public Path fetchIfPresent(URI url, String fileName, Progress progress) throws IOException {
        try {
            return fetch(url, fileName, progress);
        } catch (HttpStatusException e) {
            if (e.status == 404 || e.status == 410) {
                return null;
            }
            throw e;
        }
    }

    /**
     * A small resource read into memory and not cached (the OS list changes between runs, so a cached copy
     * would pin an old "latest"). Retried on I/O errors like {@link #fetch}.
     *
     * @param maxBytes refuse bodies larger than this, e.g. 16 MiB for an OS list
     */
    public byte[] get(URI url, long maxBytes) throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                pause(attempt, url);
            }
            HttpRequest req = HttpRequest.newBuilder(url).GET().header("User-Agent", userAgent)
                    .timeout(Duration.ofMinutes(2)).build();
            try {
                HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = resp.body()) {
                    int status = resp.statusCode();
                    if (status != 200) {
                        if (status >= 500 || status == 408 || status == 429) {
                            last = new IOException(url + ": server answered HTTP " + status);
                            continue;
                        }
                        throw new HttpStatusException(status, url + ": server answered HTTP " + status
                                + "; check the URL");
                    }
                    byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                    if (bytes.length > maxBytes) {
                        throw new HttpStatusException(status, url + ": larger than " + maxBytes
                                + " bytes; is this the right URL?");
                    }
                    return bytes;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(url + ": download interrupted");
            } catch (HttpStatusException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException(url + ": download failed after " + maxAttempts + " attempts" + via(url) + " ("
                + reason(last, url) + ")");
    }

    /** Waits before attempt {@code attempt} (2, 3, …): a network that is down now is often up again in seconds. */
    private void pause(int attempt, URI url) throws InterruptedIOException {
        long millis = Math.min(30_000L, firstPause.toMillis() << Math.min(20, attempt - 2));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(url + ": download interrupted");
        }
    }

    private String via(URI url) {
        return proxy == null ? "" : proxy.describe(url);
    }

    /**
     * What went wrong, in words. The JDK's HTTP client reports a host that does not resolve as a ConnectException
     * without a message (the reason is in its causes), and a refused or unroutable connection with no reason at all:
     * then one plain socket connect to the same place (the proxy, if one is used) asks the OS.
     */
    private String reason(Throwable e, URI url) {
        String r = reason(e);
        if (!r.equals(java.net.ConnectException.class.getSimpleName())) {
            return r;
        }
        java.net.InetSocketAddress to = proxy == null ? null
                : (java.net.InetSocketAddress) proxy.select(url).get(0).address();
        if (to == null) {
            to = new java.net.InetSocketAddress(url.getHost(), url.getPort() > 0 ? url.getPort()
                    : "https".equals(url.getScheme()) ? 443 : 80);
        } else if (to.isUnresolved()) {
            to = new java.net.InetSocketAddress(to.getHostString(), to.getPort());
        }
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(to, 5000);
            return "cannot connect to " + to.getHostString() + ":" + to.getPort();
        } catch (IOException | IllegalArgumentException probe) {
            return reason(probe) + " at " + to.getHostString() + ":" + to.getPort();
        }
    }

    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof java.net.UnknownHostException) {
                return "the host name does not resolve: no network, or no DNS";
            }
            if (t instanceof java.net.http.HttpConnectTimeoutException) {
                return "no connection within 30 s";
            }
            if (t instanceof java.net.http.HttpTimeoutException) {
                return "no answer in time";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    /**
     * One request. Returns null when {@code part} is complete; otherwise throws, or returns the validator to
     * send as {@code If-Range} next time (empty if the server gave none) after the part was discarded.
     */
    private Optional<String> attempt(URI url, Path part, String validator, Progress progress) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET().header("User-Agent", userAgent)
                // identity: a range must count bytes of the file itself, not of a compressed transfer
                .header("Accept-Encoding", "identity");
        if (have > 0) {
            rb.header("Range", "bytes=" + have + "-");
            if (validator != null) {
                rb.header("If-Range", validator);
            }
        }
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(url + ": download interrupted; run again to resume");
        }
        int status = resp.statusCode();
        try (InputStream body = resp.body()) {
            long total;
            boolean append;
            if (status == 416 && have > 0) {
                Matcher m = UNSATISFIED_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
                if (m.matches() && Long.parseLong(m.group(1)) == have) {
                    return null; // the part already holds the whole file
                }
                Files.delete(part);
                return Optional.empty();
            } else if (status == 206 && have > 0) {
                Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    Files.delete(part); // a range we did not ask for: start over
                    return Optional.empty();
                }
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
                append = true;
            } else if (status == 200) {
                have = 0; // the server ignored the range (or If-Range did not match): whole file
                total = resp.headers().firstValueAsLong("content-length").orElse(-1);
                append = false;
            } else if (status >= 500 || status == 408 || status == 429) {
                throw new IOException(url + ": server answered HTTP " + status);
            } else {
                throw new HttpStatusException(status, url + ": server answered HTTP " + status + "; check the URL");
            }
            String etag = resp.headers().firstValue("etag").filter(e -> !e.startsWith("W/")).orElse(null);
            String nextValidator = etag != null ? etag : resp.headers().firstValue("last-modified").orElse(null);
            try (OutputStream out = append
                    ? Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                    : Files.newOutputStream(part)) {
                byte[] buf = new byte[1 << 16];
                int n;
                progress.update(have, total);
                try {
                    while ((n = body.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        have += n;
                        progress.update(have, total);
                    }
                } catch (IOException e) {
                    throw new ResumableException(e, nextValidator);
                }
            }
            if (total >= 0 && have != total) {
                throw new ResumableException(new IOException("connection closed at byte " + have + " of " + total),
                        nextValidator);
            }
            return null;
        }
    }

    /** A 4xx answer: retrying will not help. */
    private static final class HttpStatusException extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpStatusException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A transfer cut short; carries the validator so the next range request can use If-Range. */
    private static final class ResumableException extends IOException {
        private static final long serialVersionUID = 1L;
        final transient String validator;

        ResumableException(IOException cause, String validator) {
            super(cause.getMessage(), cause);
            this.validator = validator;
        }
    }
}
