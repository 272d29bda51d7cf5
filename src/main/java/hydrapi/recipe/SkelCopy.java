// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What adduser does with /etc/skel and the build must repeat once it can read the image's tree: copy every entry of
 * {@code from} into {@code to} (modes and symlinks kept, owner {@code uid}:{@code gid}).
 */
public record SkelCopy(String from, String to, int uid, int gid) {

    /** Every entry below {@code from} in the image, as specs below {@code to}; none when the image has no skeleton. */
    public List<FileSpec> specs(ImageFacts image) throws IOException {
        List<FileSpec> out = new ArrayList<>();
        Optional<ImageFacts.Entry> top = image.stat(from);
        if (top.isPresent() && top.get().kind() == ImageFacts.Kind.DIRECTORY) {
            walk(image, from, to, out);
        }
        return out;
    }

    private void walk(ImageFacts image, String src, String dst, List<FileSpec> out) throws IOException {
        for (ImageFacts.Entry e : image.list(src)) {
            String s = src + "/" + e.name();
            String d = dst + "/" + e.name();
            switch (e.kind()) {
                case DIRECTORY -> {
                    out.add(new FileSpec(d, FileSpec.Type.DIRECTORY, e.mode(), uid, gid, null, null));
                    walk(image, s, d, out);
                }
                case SYMLINK -> out.add(new FileSpec(d, FileSpec.Type.SYMLINK, 0777, uid, gid, null, e.linkTarget()));
                case FILE -> out.add(new FileSpec(d, FileSpec.Type.FILE, e.mode(), uid, gid,
                        new Content.Bytes(image.read(s)), null));
                case OTHER -> {
                    // adduser copies devices and FIFOs too; a skeleton holding one is not worth a refusal
                }
            }
        }
    }
}
