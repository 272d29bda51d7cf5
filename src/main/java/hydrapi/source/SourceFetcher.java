// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.InvalidInputException;
import hydrapi.io.ProgressListener;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A source tarball named by URL, downloaded once into the user's cache directory by {@link Downloader} (redirects,
 * resume of an interrupted download); a later build with the same URL reuses the file. The caller checks the content
 * hash, so a cached file is never trusted by name alone.
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
            throw new InvalidInputException("source URL " + url + " is not a valid URL");
        }
        // Named after the URL's hash too: two URLs ending in the same file name must not share a cache entry.
        String key = HexFormat.of().formatHex(Sha256Sums.newDigest().digest(url.getBytes(StandardCharsets.UTF_8)));
        String name = uri.getPath() == null ? "" : uri.getPath().replaceAll(".*/", "");
        String fileName = key.substring(0, 16) + "-" + (name.isEmpty() ? "source" : name);
        return new Downloader(cacheDir.resolve("sources"), ToolVersion.userAgent()).fetch(uri, fileName,
                DownloadProgress.of(progress, name));
    }
}
