// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;

import hydrapi.HydrapiException;

/**
 * The rule every fuzz target checks: hostile bytes may be refused only with one of hydrapi's own exceptions, whose
 * message is one line. Anything else escaping (a RuntimeException, an IOException of the JDK, an Error) is a finding.
 */
public final class Fuzz {

    /** What a target does with one input. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private Fuzz() {
    }

    public static void onlyOurs(Body body) throws Exception {
        try {
            body.run();
        } catch (HydrapiException refused) {
            String m = refused.getMessage();
            if (m == null || m.isBlank() || m.indexOf('\n') >= 0) {
                throw new AssertionError("a refusal must be one line: " + m, refused);
            }
        }
    }
}
