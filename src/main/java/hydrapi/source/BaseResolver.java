// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.VerificationFailedException;
import hydrapi.io.ProgressListener;
import hydrapi.trust.BaseImageCheck;
import hydrapi.trust.BasePolicy;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.OpenPgpVerifier;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Turns {@code --base} into a checked local file and its provenance for the build manifest. A URL, or the Lite
 * image the OS list names for {@code latest}, is downloaded with its {@code .sha256} and {@code .sig} into
 * {@code CACHE/bases/KEY/} under Raspberry Pi's own file names (so {@code sha256sum -c} works there), then checked
 * like a local file by {@link BaseImageCheck}. A downloaded file that fails its check is deleted with its sidecars,
 * so the next run fetches it anew instead of trusting the cache ({@link Downloader}'s contract); a local base is
 * never touched.
 */
public final class BaseResolver {

    /** The OS list is a few hundred KiB today; anything past this is not an OS list. */
    private static final long MAX_OS_LIST_BYTES = 16L << 20;

    /** The base file to open, what the manifest says of it, and whether a hash or signature vouched for its bytes. */
    public record Resolved(Path file, BuildManifest.Base provenance, boolean contentChecked) {
    }

    private BaseResolver() {
    }

    public static Resolved resolve(BaseSource source, BasePolicy policy, Path cacheDir, ProgressListener progress)
            throws IOException {
        if (source instanceof BaseSource.Local local) {
            Path file = local.file();
            if (!Files.isRegularFile(file)) {
                if (!Files.exists(file)) {
                    throw new NoSuchFileException(file.toString());
                }
                throw new InvalidInputException(file + ": not a regular file; give a .img, .img.xz or .zip");
            }
            BaseImageCheck.Outcome o = BaseImageCheck.check(file, null, null, false, policy,
                    progress.phase("check " + file.getFileName(), Files.size(file)));
            return new Resolved(file, o.base(), o.contentChecked());
        }
        // Refuse before any download what no download could make acceptable.
        if (policy.keys() == null && !policy.insecure()) {
            throw InvalidInputException.about(BaseSource.INPUT, describe(source), "a downloaded base must carry a"
                    + " signature hydrapi can check, and this build ships no Raspberry Pi key; "
                    + OpenPgpVerifier.HOW_TO_GET_THE_KEY + " (or " + HydrapiException.mention(BasePolicy.INSECURE)
                    + ")");
        }
        if (source instanceof BaseSource.Latest latest) {
            String where = latest.osList().toString();
            byte[] json = new Downloader(cacheDir, ToolVersion.userAgent()).get(latest.osList(), MAX_OS_LIST_BYTES);
            OsList.Image image = OsList.parse(new String(json, StandardCharsets.UTF_8), where)
                    .latestLite(latest.arch(), where);
            return download(image.url(), image.imageDownloadSha256(), policy, cacheDir, progress);
        }
        return download(((BaseSource.Remote) source).url(), null, policy, cacheDir, progress);
    }

    private static Resolved download(URI url, String expectedSha256, BasePolicy policy, Path cacheDir,
                                     ProgressListener progress) throws IOException {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw InvalidInputException.about(BaseSource.INPUT, url, "only http and https URLs can be downloaded");
        }
        String path = url.getPath() == null ? "" : url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw InvalidInputException.about(BaseSource.INPUT, url, "the URL names no file; give the image's own URL");
        }
        // One directory per URL: two URLs ending in the same file name must not share a cache entry.
        String key = Sha256Sums.hex(url.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        Path dir = cacheDir.resolve("bases").resolve(key);
        Downloader d = new Downloader(dir, ToolVersion.userAgent());
        // The small companions first: a missing signature is refused before half a gigabyte is fetched.
        Path sig = d.fetchIfPresent(URI.create(url + ".sig"), name + ".sig", Downloader.Progress.NONE);
        if (sig == null && !policy.insecure()) {
            throw new VerificationFailedException(url + ".sig: not found; Raspberry Pi publish a signature beside"
                    + " every image, so check the URL, or pass " + HydrapiException.mention(BasePolicy.INSECURE)
                    + " to use the image unsigned");
        }
        d.fetchIfPresent(URI.create(url + ".sha256"), name + ".sha256", Downloader.Progress.NONE);
        Path image = d.fetch(url, name, DownloadProgress.of(progress, name));
        try {
            BaseImageCheck.Outcome o = BaseImageCheck.check(image, url.toString(), expectedSha256, true, policy,
                    progress.phase("check " + name, Files.size(image)));
            return new Resolved(image, o.base(), o.contentChecked());
        } catch (HydrapiException e) {
            for (String suffix : new String[] {"", ".sha256", ".sig"}) {
                Files.deleteIfExists(dir.resolve(name + suffix));
            }
            throw e;
        }
    }

    private static String describe(BaseSource source) {
        return source instanceof BaseSource.Remote r ? r.url().toString() : "latest";
    }
}
