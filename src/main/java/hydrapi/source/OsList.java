// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.json.JsonReader;
import hydrapi.json.JsonValue;

import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Raspberry Pi's Imager repository JSON ({@code os_list}, entries nested in {@code subitems}), read to find
 * the current Raspberry Pi OS Lite image for {@code --base latest}. Fields: rpi-imager
 * {@code doc/json-schema/os-list-schema.json} (raspberry-pi-os-image.md §4.6).
 *
 * <p>The Lite image is recognised by its download folder, {@code /raspios_lite_arm64/} or
 * {@code /raspios_lite_armhf/} (raspberry-pi-os-image.md §3), not by its display name, which Raspberry Pi
 * reword between releases; this also skips the "Legacy" images, which live under
 * {@code raspios_oldstable_lite_*}. Categories given only by {@code subitems_url} are not followed.
 */
public final class OsList {

    /** The list Raspberry Pi Imager reads by default. */
    public static final URI DEFAULT_URL =
            URI.create("https://downloads.raspberrypi.com/os_list_imagingutility_v4.json");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** CPU architecture of a Raspberry Pi OS image. */
    public enum Arch {
        ARM64, ARMHF;

        String folder() {
            return "/raspios_lite_" + name().toLowerCase(Locale.ROOT) + "/";
        }
    }

    /**
     * One image entry.
     *
     * @param imageDownloadSha256 SHA-256 of the compressed download, or null: the schema does not require it
     */
    public record Image(String name, URI url, LocalDate releaseDate, long extractSize, String extractSha256,
                        long imageDownloadSize, String imageDownloadSha256) {

        /** The detached OpenPGP signature published beside the image (raspberry-pi-os-image.md §3). */
        public URI signatureUrl() {
            return URI.create(url + ".sig");
        }

        /** The {@code sha256sum} sidecar published beside the image. */
        public URI sha256Url() {
            return URI.create(url + ".sha256");
        }

        /** The last path segment of the URL, e.g. {@code 2025-10-01-raspios-trixie-arm64-lite.img.xz}. */
        public String fileName() {
            String p = url.getPath();
            return p.substring(p.lastIndexOf('/') + 1);
        }
    }

    private final List<Image> images;

    private OsList(List<Image> images) {
        this.images = List.copyOf(images);
    }

    /** Parses the JSON; entries without a URL (categories) are walked into, not listed. */
    public static OsList parse(String json, String source) throws InvalidInputException {
        Map<String, Object> root = JsonValue.asObject(JsonReader.parse(json, source), "the OS list", source);
        List<Image> out = new ArrayList<>();
        walk(JsonValue.asArray(root.get("os_list"), "\"os_list\"", source), out, source, 0);
        return new OsList(out);
    }

    private static void walk(List<Object> entries, List<Image> out, String source, int depth)
            throws InvalidInputException {
        if (depth > 8) {
            throw new InvalidInputException(source + ": subitems nested deeper than 8; check the OS list");
        }
        for (Object o : entries) {
            Map<String, Object> e = JsonValue.asObject(o, "an os_list entry", source);
            if (e.get("subitems") != null) {
                walk(JsonValue.asArray(e.get("subitems"), "\"subitems\"", source), out, source, depth + 1);
            }
            if (e.get("url") instanceof String) {
                out.add(image(e, source));
            }
        }
    }

    private static Image image(Map<String, Object> e, String source) throws InvalidInputException {
        String name = JsonValue.member(e, "name", String.class, source);
        String where = source + ": \"" + name + "\"";
        URI url;
        try {
            url = new URI(JsonValue.member(e, "url", String.class, source));
        } catch (java.net.URISyntaxException ex) {
            throw new InvalidInputException(where + ": bad url (" + ex.getMessage() + ")");
        }
        if (!url.isAbsolute() || url.getPath() == null || url.getPath().isEmpty()) {
            // An opaque or relative URI ("http:x", "a/b.img.xz") has no path to choose an architecture by.
            throw new InvalidInputException(where + ": url " + url + " is not an absolute URL with a path");
        }
        LocalDate date;
        try {
            date = LocalDate.parse(JsonValue.member(e, "release_date", String.class, source));
        } catch (DateTimeParseException ex) {
            throw new InvalidInputException(where + ": release_date is not YYYY-MM-DD");
        }
        String extractSha = JsonValue.member(e, "extract_sha256", String.class, source).toLowerCase(Locale.ROOT);
        String downloadSha = JsonValue.optional(e, "image_download_sha256", String.class, source);
        if (downloadSha != null) {
            downloadSha = downloadSha.toLowerCase(Locale.ROOT);
        }
        if (!SHA256.matcher(extractSha).matches() || (downloadSha != null && !SHA256.matcher(downloadSha).matches())) {
            throw new InvalidInputException(where + ": a sha256 field is not 64 hex digits");
        }
        return new Image(name, url, date, JsonValue.member(e, "extract_size", Long.class, source), extractSha,
                JsonValue.member(e, "image_download_size", Long.class, source), downloadSha);
    }

    /** Every image entry, in document order (categories flattened). */
    public List<Image> images() {
        return images;
    }

    /**
     * The newest Raspberry Pi OS Lite image for {@code arch}; on equal dates the first listed.
     *
     * @throws InvalidInputException if the list has none (e.g. a custom list, or Raspberry Pi moved folders)
     */
    public Image latestLite(Arch arch, String source) throws InvalidInputException {
        Image best = null;
        for (Image i : images) {
            if (i.url().getPath().contains(arch.folder())
                    && (best == null || i.releaseDate().isAfter(best.releaseDate()))) {
                best = i;
            }
        }
        if (best == null) {
            throw new InvalidInputException(source + ": no Raspberry Pi OS Lite " + arch.name().toLowerCase(Locale.ROOT)
                    + " image (url under " + arch.folder() + "); pass " + HydrapiException.mention(BaseSource.INPUT)
                    + " URL or a local file instead");
        }
        return best;
    }
}
