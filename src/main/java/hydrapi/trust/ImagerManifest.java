// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.json.JsonWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Raspberry Pi Imager repository file ({@code os_list} JSON, also saved as {@code *.rpi-imager-manifest})
 * with one entry describing our output. Fields: rpi-imager {@code doc/json-schema/os-list-schema.json}
 * (raspberry-pi-os-image.md §4.6, xz-and-checksums.md §6.3).
 *
 * <p>{@code init_format} is always {@code "none"}: the image already carries its own first-boot setup, and
 * "none" is the value for which Imager offers no OS customisation, so it will neither append
 * {@code systemd.run=/boot/firstrun.sh} to cmdline.txt ({@code systemd}), nor drop cloud-init
 * {@code user-data}/{@code network-config}/{@code meta-data} seeds ({@code cloudinit}, {@code cloudinit-rpi}),
 * nor an {@code rpi-preseed.toml} ({@code rpi-preseed}) on the FAT partition (§4.1, §4.3–4.5; values from
 * rpi-imager {@code doc/os_customisation_formats.md}). The field is written explicitly because Imager 1.x
 * treats a <em>missing</em> {@code init_format} as {@code systemd} (§4.1).
 *
 * <p>{@code extract_sha256} must be the SHA-256 of the <em>decompressed</em> image: Imager hashes what it
 * writes and aborts on a mismatch (§4.7). {@code image_download_sha256} is not in the schema and Imager ignores
 * it, but rpi-imager's {@code create_local_json.py --verify-checksums} checks it, so it is emitted too.
 * {@code icon} is required by the schema; when none is given the field is left out and Imager shows its
 * default.
 *
 * @param url         where Imager downloads the {@code .img.xz}; a local manifest may use a {@code file://} URL
 * @param devices     Imager device tags, e.g. {@code pi5-64bit}, {@code pi4-64bit}
 * @param extractSize size of the uncompressed image in bytes
 */
public record ImagerManifest(String name, String description, String url, String icon, LocalDate releaseDate,
                             long extractSize, String extractSha256, long imageDownloadSize,
                             String imageDownloadSha256, List<String> devices) {

    /** No Imager customisation on top of ours (see the class comment). */
    public static final String INIT_FORMAT = "none";

    /** Imager device tags for 64-bit images (Pi 3, 4/400/CM4, 5/500/CM5; Zero 2 W rides on pi3). */
    public static final List<String> DEVICES_ARM64 = List.of("pi5-64bit", "pi4-64bit", "pi3-64bit");

    /** Imager device tags for 32-bit (armhf) images. */
    public static final List<String> DEVICES_ARMHF =
            List.of("pi5-32bit", "pi4-32bit", "pi3-32bit", "pi2-32bit", "pi1-32bit");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ImagerManifest {
        for (String hex : new String[] {extractSha256, imageDownloadSha256}) {
            if (hex == null || !SHA256.matcher(hex).matches()) {
                throw new IllegalArgumentException("not a lowercase SHA-256: " + hex);
            }
        }
        if (name == null || description == null || url == null || releaseDate == null) {
            throw new IllegalArgumentException("name, description, url and releaseDate are required");
        }
        if (extractSize <= 0 || imageDownloadSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        devices = List.copyOf(devices);
    }

    /**
     * Describes {@code imageXz} as it is on disk (download size and SHA-256 read from the file) with the
     * uncompressed size and SHA-256 the writer computed while compressing.
     */
    public static ImagerManifest describe(String name, String description, String url, String icon,
                                          LocalDate releaseDate, List<String> devices, Path imageXz,
                                          long extractSize, String extractSha256) throws IOException {
        return new ImagerManifest(name, description, url, icon, releaseDate, extractSize, extractSha256,
                Files.size(imageXz), Sha256Sums.hash(imageXz, null), devices);
    }

    public String toJson() {
        Map<String, Object> os = new LinkedHashMap<>();
        os.put("name", name);
        os.put("description", description);
        os.put("url", url);
        if (icon != null) {
            os.put("icon", icon);
        }
        os.put("release_date", releaseDate.toString());
        os.put("extract_size", extractSize);
        os.put("extract_sha256", extractSha256);
        os.put("image_download_size", imageDownloadSize);
        os.put("image_download_sha256", imageDownloadSha256);
        os.put("devices", devices);
        os.put("init_format", INIT_FORMAT);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("os_list", List.of(os));
        return JsonWriter.write(root);
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }
}
