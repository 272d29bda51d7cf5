// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.recipe.HeadlessSettings;
import hydrapi.testkit.Samples;
import hydrapi.trust.BasePolicy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library names inputs; the user reads the options that give them, in the same one line. */
class InputOptionsTest {

    @TempDir
    Path dir;

    @Test
    void render_writesEachMentionedInputAsItsOption() {
        assertEquals("--timezone: 'Mars/Olympus' is not a time zone",
                InputOptions.render(InvalidInputException.about(HeadlessSettings.TIMEZONE,
                        "'Mars/Olympus' is not a time zone").getMessage()));
        assertEquals("x.sig: not found; pass --insecure to use it unsigned (or --base-key FILE)",
                InputOptions.render("x.sig: not found; pass " + HydrapiException.mention(BasePolicy.INSECURE)
                        + " to use it unsigned (or " + HydrapiException.mention(BasePolicy.KEY) + " FILE)"));
    }

    @Test
    void render_leavesTextWithoutKnownInputsAlone() {
        assertEquals("/etc/caf\u2039e\u203A: not found", InputOptions.render("/etc/caf\u2039e\u203A: not found"));
        assertEquals("a \u2039\u203A b \u2039", InputOptions.render("a \u2039\u203A b \u2039"));
        assertEquals(null, InputOptions.render(null));
    }

    private Cli.Run build(String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--base", Samples.sampleXz().toString(), "--out",
                dir.resolve("o.img.xz").toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static void assertRefused(Cli.Run r, String line) {
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals(line + "\n", r.stderr());
    }

    @Test
    void buildRefusals_nameBuildsOptions() throws Exception {
        Path psk = Files.writeString(dir.resolve("psk"), "correct horse battery\n", StandardCharsets.UTF_8);
        Path absent = dir.resolve("absent");
        assertRefused(build("--timezone", "Mars/Olympus"), "hydrapi: --timezone: 'Mars/Olympus' is not a time zone"
                + " of the tz database (Area/City, e.g. Europe/Berlin)");
        assertRefused(build("--wifi-ssid", "Home", "--wifi-psk-file", psk.toString()), "hydrapi: --wifi-ssid: needs"
                + " --wifi-country CC; the Pi keeps Wi-Fi off until its regulatory country is set");
        assertRefused(build("--wifi-psk-file", psk.toString()),
                "hydrapi: --wifi-psk-file: needs --wifi-ssid (the network it is for)");
        assertRefused(build("--base-key", absent.toString()),
                "hydrapi: --base-key " + absent + ": public key file not found");
        assertRefused(build("--sign-key", absent.toString(), "--sign-passphrase-file", absent.toString()),
                "hydrapi: --sign-passphrase-file " + absent + ": passphrase file not found");
        Path noXz = dir.resolve("o.img");
        assertRefused(Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", noXz.toString()),
                "hydrapi: --out " + noXz + ": the output is xz-compressed, so its name must end in .xz"
                        + " (e.g. hydra.img.xz)");
        assertRefused(build("--imager-manifest", absent.resolve("os.json").toString()), "hydrapi: --imager-manifest "
                + absent.resolve("os.json") + ": its directory does not exist");
        assertRefused(build("--overlay", absent.toString()), "hydrapi: --overlay " + absent + ": not a directory");
    }
}
