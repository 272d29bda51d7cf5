// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.io.IOException;

/**
 * One piece of knowledge of what an image should hold: given facts read from the base image, the files to add or
 * edit and what to record of itself in the build manifest. Recipes never touch bytes of the disk: the pipeline
 * reads the facts ({@link ImageFacts}), merges every recipe's files with the user's overlays into one plan and
 * writes it. The pipeline knows recipes only through this interface; which ones a build runs is the command
 * line's choice.
 *
 * <p>Order of the calls, for every recipe of a build: {@link #validate()} before the base is fetched, then
 * {@link #check(ImageFacts)} once the base is open, then {@link #contribute(ImageFacts)}, so a refusal that needs
 * only the options or the image comes before any recipe downloads anything.
 */
public interface Recipe {

    /** Where a recipe's files stand against the user's overlays, which win over the first and lose to the second. */
    enum Layer {
        /** What the system needs (accounts, services, settings): an overlay may replace any of it. */
        BELOW_OVERLAYS,
        /** Small edits the user asked for by option (a word on cmdline.txt): applied on top of the overlays. */
        ABOVE_OVERLAYS
    }

    /** The name the build manifest records, e.g. {@code hydra-server}: lowercase words joined by '-'. */
    String name();

    default Layer layer() {
        return Layer.BELOW_OVERLAYS;
    }

    /** Refuses options that are wrong whatever the image. */
    default void validate() throws IOException {
    }

    /** Refuses, before any download, an image this recipe cannot work on (its release, architecture, accounts). */
    default void check(ImageFacts image) throws IOException {
    }

    /** The files and manifest facts; may fetch what it needs (checked sources), after every recipe's check. */
    Contribution contribute(ImageFacts image) throws IOException;
}
