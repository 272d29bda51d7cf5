// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import java.time.Instant;

/**
 * One directory entry as callers see it.
 *
 * @param name      the long name if the entry has one, else the 8.3 name as displayed (NT lowercase flags applied)
 * @param shortName the 8.3 name in upper case, e.g. {@code CONFIG.TXT}
 */
public record FatEntry(String name, String shortName, boolean directory, long sizeBytes, Instant modified) {
}
