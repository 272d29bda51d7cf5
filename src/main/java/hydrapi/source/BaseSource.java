// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import java.net.URI;
import java.nio.file.Path;

/** Where the base image comes from: {@code --base FILE}, {@code --base URL} or {@code --base latest}. */
public sealed interface BaseSource {

    /** The input refusals name ({@link hydrapi.InvalidInputException#input()}). */
    String INPUT = "base";

    /** An image on this machine; never written, and checked against a {@code .sha256} / {@code .sig} beside it. */
    record Local(Path file) implements BaseSource {
    }

    /** An image downloaded from {@code url}, with {@code url.sha256} and {@code url.sig}. */
    record Remote(URI url) implements BaseSource {
    }

    /** The newest Raspberry Pi OS Lite image for {@code arch} that the OS list at {@code osList} names. */
    record Latest(URI osList, OsList.Arch arch) implements BaseSource {
    }
}
