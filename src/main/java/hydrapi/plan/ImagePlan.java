// SPDX-License-Identifier: Apache-2.0
package hydrapi.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a build must put into the image, in application order: sorted by path so parents come before
 * children and the result never depends on the order options or directory listings came in. A later spec for
 * the same path replaces an earlier one (a second --overlay wins), except that edits stack.
 */
public record ImagePlan(List<FileSpec> files) {

    public ImagePlan {
        files = List.copyOf(files);
    }

    /** Merges specs given in precedence order (later wins) into a sorted plan. */
    public static ImagePlan of(List<FileSpec> specs) {
        Map<String, List<FileSpec>> byPath = new LinkedHashMap<>();
        for (FileSpec s : specs) {
            List<FileSpec> list = byPath.computeIfAbsent(s.path(), k -> new ArrayList<>());
            if (!(s.content() instanceof Content.Edit)) {
                list.clear();
            }
            list.add(s);
        }
        List<FileSpec> out = new ArrayList<>();
        byPath.values().forEach(out::addAll);
        // Stable sort: "/a" < "/a/b" < "/a-b" component-wise, edits keep their relative order.
        out.sort(Comparator.comparing(FileSpec::path, ImagePlan::comparePaths));
        return new ImagePlan(out);
    }

    /** Compares component by component so a directory sorts right before its contents. */
    public static int comparePaths(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
