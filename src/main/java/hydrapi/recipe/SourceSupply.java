// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.io.IOException;

/**
 * Local, checked copies of a pin's sources, as the build resolves them (downloads into the user's cache, hash
 * checks): handed to the Hydra server recipe by whoever knows where the user said the sources are.
 */
@FunctionalInterface
public interface SourceSupply {

    /** The pin's sources, resolved; null for a pin that installs none. */
    PinnedSources resolve(Pin pin) throws IOException;
}
