// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.HydrapiException;
import hydrapi.assemble.BuildRequest;
import hydrapi.assemble.OverlayScanner;
import hydrapi.boot.TrialBoot;
import hydrapi.fleet.Fleet;
import hydrapi.fleet.FleetMember;
import hydrapi.recipe.HeadlessSettings;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.Pin;
import hydrapi.source.BaseSource;
import hydrapi.source.SourceRequest;
import hydrapi.trust.BasePolicy;
import hydrapi.trust.OpenPgpSigner;
import hydrapi.verify.ImageVerifier;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one mapping from an input the library names ({@link HydrapiException#mention}, in its own words) to the option
 * that gives it: library messages never name flags, so a renamed option is renamed here only. An input is one
 * command's (verify's public key is not build's base key), so a message never offers an option its command lacks.
 */
final class InputOptions {

    private static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry(HydraOptions.HOST_NAME, "--hostname"),
            Map.entry(HydraOptions.ADMIN_USER, "--user"),
            Map.entry(HydraOptions.PASSWORD, "--password-hash/--password-file"),
            Map.entry(HydraOptions.PASSWORD_HASH, "--password-hash"),
            Map.entry(HydraOptions.PASSWORD_FILE, "--password-file"),
            Map.entry(HydraOptions.SSH_KEY_INPUT, "--ssh-key"),
            Map.entry(HydraOptions.ADMIN_EMAIL, "--hydra-admin-email"),
            Map.entry(HydraOptions.BUILD_USERS, "--build-users"),
            Map.entry(HydraOptions.JOBSET, "--jobset"),
            Map.entry(Pin.INPUT, "--hydra-pin"),
            Map.entry(SourceRequest.HYDRA_HASH, "--hydra-hash"),
            Map.entry(HeadlessSettings.WIFI_SSID, "--wifi-ssid"),
            Map.entry(HeadlessSettings.WIFI_PASSPHRASE, "--wifi-psk-file"),
            Map.entry(HeadlessSettings.WIFI_COUNTRY, "--wifi-country"),
            Map.entry(HeadlessSettings.TIMEZONE, "--timezone"),
            Map.entry(HeadlessSettings.LOCALE_INPUT, "--locale"),
            Map.entry(BaseSource.INPUT, "--base"),
            Map.entry(BasePolicy.KEY, "--base-key"),
            Map.entry(BasePolicy.INSECURE, "--insecure"),
            Map.entry(BuildRequest.OUTPUT, "--out"),
            Map.entry(BuildRequest.THREADS, "--threads"),
            Map.entry(BuildRequest.IMAGER_MANIFEST, "--imager-manifest"),
            Map.entry(OverlayScanner.OVERLAY, "--overlay"),
            Map.entry(OpenPgpSigner.PASSPHRASE, "--sign-passphrase-file"),
            Map.entry(ImageVerifier.KEY, "--key"),
            Map.entry(TrialBoot.KERNEL_PACKAGE, "--kernel-deb"),
            Map.entry(TrialBoot.KEEP, "--keep"),
            Map.entry(Fleet.SERVER, "--server"),
            Map.entry(Fleet.BUILDER, "--builder"),
            Map.entry(Fleet.SYSTEM, "--system"),
            Map.entry(Fleet.MAX_JOBS, "--max-jobs"),
            Map.entry(FleetMember.ROLE, "--role"));

    private static final Pattern MENTION = Pattern.compile(HydrapiException.MENTION_OPEN + "([^"
            + HydrapiException.MENTION_OPEN + HydrapiException.MENTION_CLOSE + "]+)" + HydrapiException.MENTION_CLOSE);

    private InputOptions() {
    }

    /** The option that gives {@code input}, or null for an input no option gives. */
    static String option(String input) {
        return OPTIONS.get(input);
    }

    /** Every input an option gives. */
    static java.util.Set<String> inputs() {
        return OPTIONS.keySet();
    }

    /**
     * Library text (a message, a report's detail) as the user should read it: "‹time zone›" becomes "--timezone".
     * A mark around a name no option gives is left as it is, so text from an image or a file reads unchanged.
     */
    static String render(String text) {
        if (text == null || text.indexOf(HydrapiException.MENTION_OPEN) < 0) {
            return text;
        }
        Matcher m = MENTION.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String option = OPTIONS.get(m.group(1));
            m.appendReplacement(b, Matcher.quoteReplacement(option != null ? option : m.group()));
        }
        m.appendTail(b);
        return b.toString();
    }
}
