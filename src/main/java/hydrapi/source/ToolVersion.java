// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** hydrapi's version, as Maven wrote it into the jar; recorded in build manifests and sent as the User-Agent. */
public final class ToolVersion {

    private static final String VERSION = load();

    private ToolVersion() {
    }

    public static String get() {
        return VERSION;
    }

    /** {@code hydrapi/VERSION}: downloads.raspberrypi.com is reported to answer 403 to some library default agents. */
    static String userAgent() {
        return "hydrapi/" + VERSION;
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = ToolVersion.class.getResourceAsStream("/hydrapi-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the jar's version resource is unreadable", e);
        }
        return p.getProperty("version", "unknown");
    }
}
