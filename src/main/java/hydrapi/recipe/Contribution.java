// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.plan.FileSpec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What one recipe adds: file specs in precedence order (a later spec for the same path wins, edits stack; see
 * {@link hydrapi.plan.ImagePlan}) and facts for the build manifest. Facts say what was chosen (a pin, a revision, a
 * hash), never a secret: the manifest is published beside the image. Keys are sorted so the manifest's bytes
 * depend on the facts only.
 */
public record Contribution(List<FileSpec> specs, Map<String, String> facts) {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");

    public Contribution {
        specs = List.copyOf(specs);
        for (Map.Entry<String, String> e : facts.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches() || e.getValue() == null) {
                throw new IllegalArgumentException("manifest fact " + e.getKey() + "=" + e.getValue()
                        + ": keys are lowercase words joined by '_', values are not null");
            }
        }
        facts = java.util.Collections.unmodifiableMap(new TreeMap<>(facts));
    }
}
