// SPDX-License-Identifier: Apache-2.0
package hydrapi.fleet;

import hydrapi.InvalidInputException;
import hydrapi.json.JsonReader;
import hydrapi.json.JsonValue;
import hydrapi.json.JsonWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fleet on disk: {@code fleet.json} (names, systems, job counts) and the keys that let its freshly flashed cards
 * trust each other without a keyboard: the server's queue-runner client key ({@code server/id_ed25519}) and each
 * builder's SSH host key ({@code builders/NAME/ssh_host_ed25519_key}). The directory is 0700 and the private keys
 * 0600, as ssh requires of its own; images built from it carry those secrets, so they are not for publishing.
 */
public final class FleetDirectory {

    public static final String MANIFEST = "fleet.json";
    static final String CLIENT_KEY = "server/id_ed25519";
    static final String HOST_KEY = "ssh_host_ed25519_key";
    private static final int FORMAT = 1;

    private FleetDirectory() {
    }

    /** A fleet with its keys, as read back and checked. */
    public record Loaded(Fleet fleet, SshKeyPair queueRunnerKey, Map<String, SshKeyPair> hostKeys) {
        public Loaded {
            hostKeys = Map.copyOf(hostKeys);
        }
    }

    /**
     * Writes a new fleet directory {@code dir} (absent or empty): everything is made under a temporary name beside
     * it and renamed into place, so a failed or stopped run leaves nothing.
     */
    public static Loaded init(Path dir, Fleet fleet, SecureRandom random) throws IOException {
        fleet.validate();
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !isEmptyDirectory(target)) {
            throw new InvalidInputException(dir + ": exists and is not an empty directory; a fleet's keys are made"
                    + " once, so choose a new directory");
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new InvalidInputException(dir + ": its parent directory does not exist");
        }
        Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".hydrapi-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Thread cleanup = new Thread(() -> deleteTree(tmp));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            SshKeyPair client = SshKeyPair.generate(random, "hydra-queue-runner@" + fleet.server());
            writeKey(tmp, CLIENT_KEY, client);
            Map<String, SshKeyPair> hosts = new LinkedHashMap<>();
            for (Fleet.Builder b : fleet.builders()) {
                SshKeyPair host = SshKeyPair.generate(random, "root@" + b.name());
                writeKey(tmp, "builders/" + b.name() + "/" + HOST_KEY, host);
                hosts.put(b.name(), host);
            }
            Files.writeString(tmp.resolve(MANIFEST), toJson(fleet), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp.resolve(MANIFEST), PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException | FileAlreadyExistsException e) {
                throw new InvalidInputException(dir + ": could not be put in place (" + e.getMessage() + ")");
            }
            return new Loaded(fleet, client, hosts);
        } finally {
            deleteTree(tmp);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /** Reads and checks a fleet directory: its manifest, every key pair, and that no private key is readable by others. */
    public static Loaded read(Path dir) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new InvalidInputException(dir + ": no " + MANIFEST + "; make a fleet directory with fleet init");
        }
        Fleet fleet = parse(Files.readString(manifest, StandardCharsets.UTF_8), manifest.toString());
        fleet.validate();
        SshKeyPair client = readKey(dir, CLIENT_KEY);
        Map<String, SshKeyPair> hosts = new LinkedHashMap<>();
        for (Fleet.Builder b : fleet.builders()) {
            hosts.put(b.name(), readKey(dir, "builders/" + b.name() + "/" + HOST_KEY));
        }
        return new Loaded(fleet, client, hosts);
    }

    static String toJson(Fleet fleet) {
        List<Object> builders = new ArrayList<>();
        for (Fleet.Builder b : fleet.builders()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name());
            m.put("systems", new ArrayList<Object>(b.systems()));
            m.put("max_jobs", (long) b.maxJobs());
            m.put("speed_factor", (long) b.speedFactor());
            builders.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("hydrapi_fleet", (long) FORMAT);
        root.put("server", fleet.server());
        root.put("builders", builders);
        return JsonWriter.write(root);
    }

    static Fleet parse(String json, String source) throws InvalidInputException {
        Map<String, Object> root = JsonValue.asObject(JsonReader.parse(json, source), "the fleet", source);
        long format = JsonValue.member(root, "hydrapi_fleet", Long.class, source);
        if (format != FORMAT) {
            throw new InvalidInputException(source + ": fleet format " + format + " is not " + FORMAT
                    + "; use the hydrapi version that made it");
        }
        List<Fleet.Builder> builders = new ArrayList<>();
        for (Object o : JsonValue.asArray(root.get("builders"), "\"builders\"", source)) {
            Map<String, Object> m = JsonValue.asObject(o, "a \"builders\" element", source);
            List<String> systems = new ArrayList<>();
            for (Object s : JsonValue.asArray(m.get("systems"), "\"systems\"", source)) {
                if (!(s instanceof String str)) {
                    throw new InvalidInputException(source + ": a system is not a string; check the file");
                }
                systems.add(str);
            }
            long jobs = JsonValue.member(m, "max_jobs", Long.class, source);
            long speed = JsonValue.member(m, "speed_factor", Long.class, source);
            builders.add(new Fleet.Builder(JsonValue.member(m, "name", String.class, source), systems,
                    (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, jobs)),
                    (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, speed))));
        }
        return new Fleet(JsonValue.member(root, "server", String.class, source), builders);
    }

    private static void writeKey(Path dir, String rel, SshKeyPair key) throws IOException {
        Path priv = dir.resolve(rel);
        // Each level made 0700: the builders' subdirectories hold their host keys.
        Files.createDirectories(priv.getParent(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(priv, key.privateKey(), StandardCharsets.UTF_8);
        Path pub = priv.resolveSibling(priv.getFileName() + ".pub");
        Files.writeString(pub, key.publicKey(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static SshKeyPair readKey(Path dir, String rel) throws IOException {
        Path priv = dir.resolve(rel);
        Path pub = priv.resolveSibling(priv.getFileName() + ".pub");
        for (Path p : new Path[] {priv, pub}) {
            if (!Files.isRegularFile(p)) {
                throw new InvalidInputException(p + ": missing from the fleet directory; make the fleet again with"
                        + " fleet init");
            }
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(priv);
        if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
            // ssh refuses such a key too ("UNPROTECTED PRIVATE KEY FILE"); here the image would carry it.
            throw new InvalidInputException(priv + ": a private key others may read (mode "
                    + PosixFilePermissions.toString(perms) + "); chmod 600 it");
        }
        return SshKeyPair.check(Files.readString(priv, StandardCharsets.UTF_8),
                Files.readString(pub, StandardCharsets.UTF_8), priv.toString());
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a temporary directory of a failed run, named after the fleet it was for
        }
    }
}
