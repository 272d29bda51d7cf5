// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.InvalidInputException;
import hydrapi.json.JsonReader;
import hydrapi.json.JsonValue;
import hydrapi.json.JsonWriter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a build consumed and changed, as JSON written beside the image and into it at {@link #IN_IMAGE_PATH};
 * issue 6 §3. Everything in it is an input or a pure function of the inputs (no host name, no wall clock, no
 * local path), so two builds of the same recipe give the same bytes: paths are sorted by their UTF-8 bytes, keys
 * are in a fixed order, and the time is the build clock ({@code SOURCE_DATE_EPOCH} when set).
 *
 * <p>The paths are those the build wrote, in the state the image holds them, except the manifest file itself
 * and a directory made only to hold it: a file cannot contain its own hash. The image's signature covers it.
 *
 * @param format           manifest format version, {@link #FORMAT} when written by this code; format 1 (before
 *                         {@code first_boot}) is still read
 * @param toolVersion      hydrapi's version
 * @param firstBoot        the base's own first-boot machinery as the build read it (e.g. {@code cloud-init}); null
 *                         in a format-1 manifest
 * @param recipes          the recipes the build ran, in order, each with the facts it recorded (format 3); in a
 *                         format 1 or 2 manifest, a {@code hydra_pin} it names is read as one recipe
 *                         {@value #LEGACY_HYDRA_RECIPE} with the one fact {@value #LEGACY_HYDRA_FACT}
 * @param sourceDateEpoch  seconds since 1970 used for every timestamp written
 */
public record BuildManifest(int format, String toolVersion, Base base, String firstBoot, List<RecipeRecord> recipes,
                            long sourceDateEpoch, List<Entry> paths) {

    /** 2 added {@code first_boot}; 3 replaced {@code hydra_pin} with {@code recipes}. */
    public static final int FORMAT = 3;

    /** How a format 1 or 2 {@code hydra_pin} ("PIN REVISION NAR-HASH") is read: a recipe with one fact. */
    public static final String LEGACY_HYDRA_RECIPE = "hydra-server";
    public static final String LEGACY_HYDRA_FACT = "hydra_pin";

    /** Where the build writes the manifest inside the image (root partition, 0644 root:root). */
    public static final String IN_IMAGE_PATH = "/etc/hydrapi/manifest.json";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** How the base image's authenticity was established. */
    public enum SignatureStatus {
        /** A detached OpenPGP signature verified against the expected key. */
        VERIFIED,
        /** A local base with no {@code .sig} beside it: accepted, with a warning, as unsigned. */
        UNSIGNED,
        /** A downloaded base without a signature, used because the user passed {@code --insecure}. */
        UNSIGNED_INSECURE,
        /** A signature no key was given to check, ignored because the user passed {@code --insecure}. */
        UNCHECKED_INSECURE,
        /** The signature did not verify and the user passed {@code --insecure}. */
        BAD_SIGNATURE_INSECURE;

        /** The JSON spelling, e.g. {@code unsigned-insecure}. */
        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** The JSON spelling, so summaries print what the manifest says. */
        @Override
        public String toString() {
            return json();
        }

        static SignatureStatus fromJson(String s, String source) throws InvalidInputException {
            for (SignatureStatus v : values()) {
                if (v.json().equals(s)) {
                    return v;
                }
            }
            throw new InvalidInputException(source + ": unknown signature status \"" + s + "\"; check the file");
        }
    }

    /**
     * The official image we started from.
     *
     * @param url         where it was downloaded, or null for a local file
     * @param signerFingerprint primary key fingerprint that signed it, or null unless VERIFIED
     */
    public record Base(String name, String url, String sha256, SignatureStatus signature, String signerFingerprint) {
        public Base {
            requireSha(sha256);
            if (name == null || signature == null) {
                throw new IllegalArgumentException("base name and signature status are required");
            }
            if ((signature == SignatureStatus.VERIFIED) != (signerFingerprint != null)) {
                throw new IllegalArgumentException("a signer fingerprint goes with, and only with, VERIFIED");
            }
        }
    }

    /**
     * One recipe the build ran: its name and the facts it recorded (what it chose, never a secret), by key.
     */
    public record RecipeRecord(String name, Map<String, String> facts) {
        public RecipeRecord {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a recipe needs a name");
            }
            facts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(facts));
        }
    }

    /** Kind of filesystem object at a path. */
    public enum Kind { FILE, DIRECTORY, SYMLINK }

    /**
     * One injected or changed path.
     *
     * @param path   absolute path as seen on the running system, e.g. {@code /boot/firmware/config.txt}
     * @param sha256 of the file content, or of the link target for symlinks; null for directories
     * @param mode   permission bits including setuid/setgid/sticky (0 to 07777)
     */
    public record Entry(String path, Kind kind, String sha256, int mode, int uid, int gid) {
        public Entry {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path must be absolute: " + path);
            }
            if (kind == Kind.DIRECTORY ? sha256 != null : !isSha(sha256)) {
                throw new IllegalArgumentException(path + ": sha256 required for files and symlinks only");
            }
            if (mode < 0 || mode > 07777 || uid < 0 || gid < 0) {
                throw new IllegalArgumentException(path + ": bad mode or owner");
            }
        }
    }

    public BuildManifest {
        if (toolVersion == null || base == null) {
            throw new IllegalArgumentException("tool version and base are required");
        }
        List<Entry> sorted = new ArrayList<>(paths);
        // Sort by UTF-8 bytes (= code points), not UTF-16 units, so any other tool sorting bytes agrees.
        sorted.sort(Comparator.comparing(Entry::path, BuildManifest::compareCodePoints));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
                throw new IllegalArgumentException("path listed twice: " + sorted.get(i).path());
            }
        }
        paths = List.copyOf(sorted);
        recipes = List.copyOf(recipes);
        if (format < 3 && (recipes.size() > 1 || recipes.size() == 1 && !isLegacyHydraPin(recipes.get(0)))) {
            throw new IllegalArgumentException("a format " + format + " manifest records at most a hydra_pin");
        }
    }

    /** A manifest in the current {@link #FORMAT}. */
    public static BuildManifest of(String toolVersion, Base base, String firstBoot, List<RecipeRecord> recipes,
                                   long sourceDateEpoch, List<Entry> paths) {
        return new BuildManifest(FORMAT, toolVersion, base, firstBoot, recipes, sourceDateEpoch, paths);
    }

    private static boolean isLegacyHydraPin(RecipeRecord r) {
        return r.name().equals(LEGACY_HYDRA_RECIPE) && r.facts().keySet().equals(java.util.Set.of(LEGACY_HYDRA_FACT));
    }

    public String toJson() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", base.name());
        b.put("url", nullable(base.url()));
        b.put("sha256", base.sha256());
        b.put("signature", base.signature().json());
        b.put("signer", nullable(base.signerFingerprint()));
        List<Object> entries = new ArrayList<>();
        for (Entry e : paths) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", e.path());
            m.put("type", e.kind().name().toLowerCase(java.util.Locale.ROOT));
            m.put("sha256", nullable(e.sha256()));
            m.put("mode", String.format("%04o", e.mode()));
            m.put("uid", (long) e.uid());
            m.put("gid", (long) e.gid());
            entries.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("hydrapi_manifest", (long) format);
        root.put("tool_version", toolVersion);
        root.put("source_date_epoch", sourceDateEpoch);
        root.put("base", b);
        if (format >= 2) {
            root.put("first_boot", nullable(firstBoot));
        }
        if (format >= 3) {
            List<Object> rs = new ArrayList<>();
            for (RecipeRecord r : recipes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("facts", new LinkedHashMap<String, Object>(r.facts()));
                rs.add(m);
            }
            root.put("recipes", rs);
        } else {
            root.put("hydra_pin", recipes.isEmpty() ? JsonValue.NULL : recipes.get(0).facts().get(LEGACY_HYDRA_FACT));
        }
        root.put("paths", entries);
        return JsonWriter.write(root);
    }

    /** Reads what {@link #toJson()} wrote; anything else is an {@link InvalidInputException}. */
    public static BuildManifest parse(String json, String source) throws InvalidInputException {
        Map<String, Object> root = JsonValue.asObject(JsonReader.parse(json, source), "the manifest", source);
        long format = JsonValue.member(root, "hydrapi_manifest", Long.class, source);
        if (format < 1 || format > FORMAT) {
            throw new InvalidInputException(source + ": manifest format " + format + " is not one of 1 to " + FORMAT
                    + "; use the hydrapi version that wrote it");
        }
        List<RecipeRecord> recipes = new ArrayList<>();
        if (format >= 3) {
            for (Object o : JsonValue.asArray(root.get("recipes"), "\"recipes\"", source)) {
                Map<String, Object> m = JsonValue.asObject(o, "a \"recipes\" element", source);
                String name = JsonValue.member(m, "name", String.class, source);
                Map<String, String> facts = new LinkedHashMap<>();
                for (Map.Entry<String, Object> f : JsonValue.asObject(m.get("facts"), "recipe " + name + "'s"
                        + " \"facts\"", source).entrySet()) {
                    if (!(f.getValue() instanceof String v)) {
                        throw new InvalidInputException(source + ": recipe " + name + ": fact \"" + f.getKey()
                                + "\" is not a string; check the file");
                    }
                    facts.put(f.getKey(), v);
                }
                if (name.isEmpty()) {
                    throw new InvalidInputException(source + ": a recipe with an empty name; check the file");
                }
                recipes.add(new RecipeRecord(name, facts));
            }
        } else {
            String pin = JsonValue.optional(root, "hydra_pin", String.class, source);
            if (pin != null) {
                recipes.add(new RecipeRecord(LEGACY_HYDRA_RECIPE, Map.of(LEGACY_HYDRA_FACT, pin)));
            }
        }
        Map<String, Object> b = JsonValue.asObject(root.get("base"), "\"base\"", source);
        String signer = JsonValue.optional(b, "signer", String.class, source);
        List<Entry> entries = new ArrayList<>();
        for (Object o : JsonValue.asArray(root.get("paths"), "\"paths\"", source)) {
            Map<String, Object> m = JsonValue.asObject(o, "a \"paths\" element", source);
            String path = JsonValue.member(m, "path", String.class, source);
            String type = JsonValue.member(m, "type", String.class, source);
            String mode = JsonValue.member(m, "mode", String.class, source);
            if (!mode.matches("[0-7]{4}")) {
                throw new InvalidInputException(source + ": " + path + ": mode \"" + mode + "\" is not 4 octal digits");
            }
            Kind kind;
            try {
                kind = Kind.valueOf(type.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(source + ": " + path + ": unknown type \"" + type + "\"");
            }
            entries.add(entry(source, path, kind, JsonValue.optional(m, "sha256", String.class, source),
                    Integer.parseInt(mode, 8), JsonValue.member(m, "uid", Long.class, source),
                    JsonValue.member(m, "gid", Long.class, source)));
        }
        try {
            Base base = new Base(JsonValue.member(b, "name", String.class, source),
                    JsonValue.optional(b, "url", String.class, source),
                    JsonValue.member(b, "sha256", String.class, source),
                    SignatureStatus.fromJson(JsonValue.member(b, "signature", String.class, source), source), signer);
            return new BuildManifest((int) format, JsonValue.member(root, "tool_version", String.class, source), base,
                    format >= 2 ? JsonValue.optional(root, "first_boot", String.class, source) : null,
                    recipes,
                    JsonValue.member(root, "source_date_epoch", Long.class, source), entries);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source + ": " + e.getMessage() + "; check the file", e);
        }
    }

    private static Entry entry(String source, String path, Kind kind, String sha, int mode, long uid, long gid)
            throws InvalidInputException {
        if (uid > Integer.MAX_VALUE || gid > Integer.MAX_VALUE) {
            throw new InvalidInputException(source + ": " + path + ": owner out of range");
        }
        try {
            return new Entry(path, kind, sha, mode, (int) uid, (int) gid);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source + ": " + e.getMessage() + "; check the file", e);
        }
    }

    private static Object nullable(String s) {
        return s == null ? JsonValue.NULL : s;
    }

    private static boolean isSha(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    private static void requireSha(String s) {
        if (!isSha(s)) {
            throw new IllegalArgumentException("not a lowercase SHA-256: " + s);
        }
    }

    private static int compareCodePoints(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
