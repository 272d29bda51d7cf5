// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The NAR hash of a source tree, what {@code nix hash path} prints and fetchFromGitHub pins: SHA-256 of the tree's
 * Nix ARchive serialisation. Format: Dolstra's thesis fig. 5.2, NixOS/nix src/libutil/archive.cc.
 */
public final class NarHash {

    /** A file system object as NAR sees it: no owners, no times, only the owner's x bit. */
    public sealed interface Node permits Regular, Symlink, Directory {
    }

    public record Regular(byte[] contents, boolean executable) implements Node {
        public Regular {
            contents = contents.clone();
        }

        @Override
        public byte[] contents() {
            return contents.clone();
        }
    }

    public record Symlink(String target) implements Node {
    }

    /** Entries keyed by name, sorted by their bytes as archive.cc's std::map<std::string> sorts them. */
    public record Directory(TreeMap<String, Node> entries) implements Node {
        public Directory() {
            this(new TreeMap<>(NarHash::compareBytes));
        }
    }

    private NarHash() {
    }

    /** Writes {@code "nix-archive-1"} and the node. */
    public static void serialise(Node root, OutputStream out) throws IOException {
        str(out, "nix-archive-1");
        node(out, root);
    }

    public static byte[] sha256(Node root) {
        MessageDigest md = digest();
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
            serialise(root, out);
        } catch (IOException e) {
            throw new IllegalStateException("null stream failed", e);
        }
        return md.digest();
    }

    /** {@code sha256-<base64>}, the SRI form nix and nixpkgs print. */
    public static String sri(byte[] sha256) {
        return "sha256-" + Base64.getEncoder().encodeToString(sha256);
    }

    /**
     * Parses an expected SHA-256 in SRI ({@code sha256-…}), Nix base-32 ({@code sha256:115z…} or bare) or hex form.
     */
    public static byte[] parse(String expected) throws InvalidInputException {
        String s = expected.strip();
        byte[] h = null;
        if (s.startsWith("sha256-")) {
            try {
                h = Base64.getDecoder().decode(s.substring(7));
            } catch (IllegalArgumentException e) {
                h = null;
            }
        } else {
            String v = s.startsWith("sha256:") ? s.substring(7) : s;
            if (v.length() == 64 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                h = HexFormat.of().parseHex(v.toLowerCase(java.util.Locale.ROOT));
            } else {
                h = Nix32.decode(v, 32);
            }
        }
        if (h == null || h.length != 32) {
            throw new InvalidInputException("'" + expected + "' is not a SHA-256 in SRI (sha256-…), Nix base-32 or"
                    + " hex form");
        }
        return h;
    }

    /** Unpacks a .tar.gz, .tgz, .tar.xz or .tar in memory and drops its single top directory, as fetchFromGitHub. */
    public static Directory fromTarball(Path tarball) throws IOException {
        String name = tarball.getFileName().toString();
        Directory top = new Directory();
        Map<String, Regular> byPath = new HashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball));
             InputStream in = decompressor(name, raw);
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isGlobalPaxHeader() || e.isPaxHeader()) {
                    continue;
                }
                String path = trimSlashes(e.getName());
                if (path.isEmpty()) {
                    continue;
                }
                Node node;
                if (e.isDirectory()) {
                    node = new Directory();
                } else if (e.isSymbolicLink()) {
                    node = new Symlink(e.getLinkName());
                } else if (e.isLink()) {
                    // A hard link unpacks to the same contents as its target, which came earlier in the archive.
                    Regular target = byPath.get(trimSlashes(e.getLinkName()));
                    if (target == null) {
                        throw new InvalidInputException(tarball + ": hard link " + path + " to missing "
                                + e.getLinkName() + "; repack the archive");
                    }
                    node = target;
                } else if (e.isFile()) {
                    node = new Regular(tar.readAllBytes(), (e.getMode() & 0100) != 0);
                } else {
                    throw new InvalidInputException(tarball + ": " + path + " is a device or fifo, which NAR cannot hold");
                }
                if (node instanceof Regular r) {
                    byPath.put(path, r);
                }
                put(top, path, node, tarball);
            }
        }
        if (top.entries().size() != 1 || !(top.entries().firstEntry().getValue() instanceof Directory inner)) {
            throw new InvalidInputException(tarball + ": expected a single top directory (as GitHub archives have), found "
                    + top.entries().keySet());
        }
        return inner;
    }

    /** The SRI NAR hash of the unpacked tarball. */
    public static String ofTarball(Path tarball) throws IOException {
        return sri(sha256(fromTarball(tarball)));
    }

    /** Checks the tarball's NAR hash against {@code expected}; returns the SRI hash. */
    public static String verify(Path tarball, String expected) throws IOException {
        byte[] want = parse(expected);
        byte[] got = sha256(fromTarball(tarball));
        if (!Arrays.equals(want, got)) {
            throw new InvalidInputException(tarball + " unpacks to NAR hash " + sri(got) + " but " + sri(want)
                    + " was expected; pass the right tarball or its hash");
        }
        return sri(got);
    }

    private static void put(Directory top, String path, Node node, Path tarball) throws InvalidInputException {
        String[] parts = path.split("/");
        Directory dir = top;
        for (int i = 0; i < parts.length - 1; i++) {
            Node child = dir.entries().computeIfAbsent(parts[i], k -> new Directory());
            if (!(child instanceof Directory d)) {
                throw new InvalidInputException(tarball + ": " + path + " lies below a non-directory");
            }
            dir = d;
        }
        String last = parts[parts.length - 1];
        if (last.equals("..") || last.equals(".")) {
            throw new InvalidInputException(tarball + ": entry name " + path + " is not allowed");
        }
        Node old = dir.entries().get(last);
        // A directory entry after its children (or twice) must not drop them.
        if (!(node instanceof Directory && old instanceof Directory)) {
            dir.entries().put(last, node);
        }
    }

    private static InputStream decompressor(String name, InputStream raw) throws IOException {
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
        }
        if (name.endsWith(".tar.xz")) {
            return XZCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
        }
        if (name.endsWith(".tar")) {
            return raw;
        }
        throw new InvalidInputException(name + ": not a .tar.gz, .tgz, .tar.xz or .tar source archive");
    }

    private static String trimSlashes(String p) {
        String s = p.startsWith("./") ? p.substring(2) : p;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }

    private static void node(OutputStream out, Node n) throws IOException {
        str(out, "(");
        if (n instanceof Regular r) {
            str(out, "type");
            str(out, "regular");
            if (r.executable()) {
                str(out, "executable");
                str(out, "");
            }
            str(out, "contents");
            bytes(out, r.contents);
        } else if (n instanceof Symlink s) {
            str(out, "type");
            str(out, "symlink");
            str(out, "target");
            str(out, s.target());
        } else if (n instanceof Directory d) {
            str(out, "type");
            str(out, "directory");
            for (Map.Entry<String, Node> e : d.entries().entrySet()) {
                str(out, "entry");
                str(out, "(");
                str(out, "name");
                str(out, e.getKey());
                str(out, "node");
                node(out, e.getValue());
                str(out, ")");
            }
        }
        str(out, ")");
    }

    private static void str(OutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A length (u64 little-endian), the bytes, zero padding to a multiple of 8 (archive.cc writeString). */
    private static void bytes(OutputStream out, byte[] b) throws IOException {
        long n = b.length;
        for (int i = 0; i < 8; i++) {
            out.write((int) (n >>> (8 * i)) & 0xff);
        }
        out.write(b);
        out.write(new byte[(int) ((8 - n % 8) % 8)]);
    }

    static int compareBytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] serialise(Node root) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            serialise(root, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }
}
