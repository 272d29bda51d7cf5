// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optional {@value #FILE_NAME} at the top of an overlay directory: per-path mode and owner, which a checkout
 * cannot carry (git keeps no owners and only the x bit). One rule a line, {@code #} starts a comment:
 * <pre>
 * MODE  OWNER[:GROUP]  PATH
 * 0640  root:shadow    /etc/hydra/secret.env
 * -     hydra:hydra    /var/lib/hydra
 * 0700  -              /root/.ssh
 * </pre>
 * MODE is octal (up to 07777) or {@code -} to keep it; OWNER and GROUP are names, resolved through the image's
 * own /etc/passwd and /etc/group, or numbers; {@code -}, an empty owner ({@code :GROUP}) or a missing group keeps
 * that part. PATH is the rest of the line, as the Pi sees it. A rule for a path the overlay does not hold changes
 * that path in the image (chmod/chown).
 */
public final class OverlayManifest {

    public static final String FILE_NAME = ".hydrapi-manifest";

    /** One line: null fields are kept as they are. */
    public record Rule(String path, Integer mode, String owner, String group, String where) {
    }

    private OverlayManifest() {
    }

    /** Reads DIR/.hydrapi-manifest; an absent file is no rules. */
    public static Map<String, Rule> read(Path overlayDir) throws IOException {
        Path f = overlayDir.resolve(FILE_NAME);
        Map<String, Rule> rules = new LinkedHashMap<>();
        if (!Files.isRegularFile(f)) {
            return rules;
        }
        List<String> lines = utf8(Files.readAllBytes(f), f).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = f + ":" + (i + 1);
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 3 || !parts[2].startsWith("/")) {
                throw new InvalidInputException(where + ": expected 'MODE OWNER[:GROUP] /path', got '" + line + "'");
            }
            Integer mode = null;
            if (!parts[0].equals("-")) {
                try {
                    mode = Integer.parseInt(parts[0], 8);
                } catch (NumberFormatException e) {
                    mode = -1;
                }
                if (mode < 0 || mode > 07777) {
                    throw new InvalidInputException(where + ": mode '" + parts[0] + "' is not octal 0000-7777 or -");
                }
            }
            String owner = null;
            String group = null;
            if (!parts[1].equals("-")) {
                String[] og = parts[1].split(":", -1);
                if (og.length > 2) {
                    throw new InvalidInputException(where + ": owner '" + parts[1] + "' is not OWNER[:GROUP]");
                }
                owner = og[0].isEmpty() ? null : og[0];
                group = og.length == 2 && !og[1].isEmpty() ? og[1] : null;
            }
            String path = parts[2].replaceAll("/+", "/");
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            for (String c : path.split("/")) {
                if (c.equals("..") || c.equals(".")) {
                    throw new InvalidInputException(where + ": path " + parts[2] + " has . or .. components");
                }
            }
            if (rules.put(path, new Rule(path, mode, owner, group, where)) != null) {
                throw new InvalidInputException(where + ": a second rule for " + path);
            }
        }
        return rules;
    }

    /** The file's text; bytes that are not UTF-8 are refused, not read as U+FFFD (a path would silently change). */
    private static String utf8(byte[] bytes, Path f) throws InvalidInputException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(f + ": not UTF-8 text; save it as UTF-8");
        }
    }

    /** Rules of several overlays, later ones replacing earlier ones for the same path. */
    public static Map<String, Rule> readAll(List<Path> overlayDirs) throws IOException {
        Map<String, Rule> all = new LinkedHashMap<>();
        for (Path d : overlayDirs) {
            all.putAll(read(d));
        }
        return all;
    }

    static List<Rule> sorted(Map<String, Rule> rules) {
        List<Rule> out = new ArrayList<>(rules.values());
        out.sort((a, b) -> hydrapi.plan.ImagePlan.comparePaths(a.path(), b.path()));
        return out;
    }
}
