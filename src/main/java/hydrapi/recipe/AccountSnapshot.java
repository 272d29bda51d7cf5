// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.util.Objects;

/**
 * The image's /etc/passwd and /etc/group as the build read them: the recipe picks free IDs from them and owns files
 * by number, without reading the image itself.
 */
public record AccountSnapshot(String passwd, String group) {

    public AccountSnapshot {
        Objects.requireNonNull(passwd, "passwd");
        Objects.requireNonNull(group, "group");
    }
}
