// SPDX-License-Identifier: Apache-2.0
package hydrapi.json;

import hydrapi.InvalidInputException;

import java.util.List;
import java.util.Map;

/** JSON {@code null} and typed access to parsed values, for callers that read manifests. */
public final class JsonValue {

    /** JSON {@code null}; a sentinel because maps built with {@code Map.of} refuse Java null. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private JsonValue() {
    }

    /** The member {@code key} of an object, with the expected type, or an error naming the key. */
    public static <T> T member(Map<String, Object> obj, String key, Class<T> type, String source)
            throws InvalidInputException {
        Object v = obj.get(key);
        if (!type.isInstance(v)) {
            throw new InvalidInputException(source + ": field \"" + key + "\" is "
                    + (v == null ? "missing" : "not a " + type.getSimpleName()) + "; check the file");
        }
        return type.cast(v);
    }

    /** Like {@link #member} but absent or null yields null. */
    public static <T> T optional(Map<String, Object> obj, String key, Class<T> type, String source)
            throws InvalidInputException {
        Object v = obj.get(key);
        if (v == null || v == NULL) {
            return null;
        }
        return member(obj, key, type, source);
    }

    /** {@code v} as an object, or an error naming {@code what}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object v, String what, String source) throws InvalidInputException {
        if (!(v instanceof Map)) {
            throw new InvalidInputException(source + ": " + what + " is not a JSON object; check the file");
        }
        return (Map<String, Object>) v;
    }

    /** {@code v} as an array, or an error naming {@code what}. */
    @SuppressWarnings("unchecked")
    public static List<Object> asArray(Object v, String what, String source) throws InvalidInputException {
        if (!(v instanceof List)) {
            throw new InvalidInputException(source + ": " + what + " is not a JSON array; check the file");
        }
        return (List<Object>) v;
    }
}
