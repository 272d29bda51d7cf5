// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

/**
 * What adduser does with /etc/skel and the build must repeat once it can read the image's tree: copy every entry of
 * {@code from} into {@code to} (modes and symlinks kept, owner {@code uid}:{@code gid}), skipping names already there.
 */
public record SkelCopy(String from, String to, int uid, int gid) {
}
