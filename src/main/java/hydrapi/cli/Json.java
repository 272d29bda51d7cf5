// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Summaries as JSON: records become objects of their components in declaration order, paths and other values their
 * text; the writing itself is {@link hydrapi.json.JsonWriter}'s, so every JSON hydrapi prints has one format.
 */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        return hydrapi.json.JsonWriter.write(plain(value));
    }

    private static Object plain(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            return v;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof Record r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    m.put(c.getName(), plain(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("record component " + c.getName() + " unreadable", e);
                }
            }
            return m;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, val) -> m.put(String.valueOf(k), plain(val)));
            return m;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(e -> out.add(plain(e)));
            return out;
        }
        return v.toString();
    }
}
