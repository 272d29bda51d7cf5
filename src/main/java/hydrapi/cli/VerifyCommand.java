// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.trust.OpenPgpVerifier;
import hydrapi.verify.ImageVerifier;
import hydrapi.verify.VerifyReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Checks an image: its IMAGE.sha256 sidecar, its OpenPGP signature (with --key), every xz "
            + "block's check and the xz index, the partition table and each filesystem's structure. Exit 1 on any "
            + "mismatch."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image to check (.img.xz, .img or .zip).")
    Path image;

    @Option(names = "--key", paramLabel = "FILE",
            description = "OpenPGP public key (armored or binary) to check IMAGE.asc or IMAGE.sig against.")
    Path key;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        VerifyReport report;
        try (ProgressScope progress = ProgressScope.open(main, common, spec)) {
            report = new ImageVerifier(progress, common.threads(), key == null ? null
                    : OpenPgpVerifier.load(key, ImageVerifier.KEY))
                    .verify(image, Context.tmpDir());
        }
        // The details name inputs in the library's words; the user reads verify's options.
        List<VerifyReport.Check> checks = report.checks().stream()
                .map(c -> new VerifyReport.Check(c.name(), c.status(), InputOptions.render(c.detail()))).toList();
        PrintWriter o = spec.commandLine().getOut();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", image.toString());
            m.put("ok", report.ok());
            m.put("checks", checks);
            o.print(Json.write(m));
        } else if (!common.quiet) {
            for (VerifyReport.Check c : checks) {
                o.printf("%-7s %-16s %s%n", c.status().toUpperCase(java.util.Locale.ROOT), c.name(), c.detail());
            }
            o.println(report.ok() ? image + ": OK" : image + ": FAILED");
        }
        o.flush();
        if (!report.ok()) {
            for (VerifyReport.Check c : checks) {
                if (c.status().equals("failed")) {
                    err.println("hydrapi: " + image + ": " + c.name() + ": " + c.detail());
                    break;
                }
            }
            return ExitCode.CHECK_FAILED.code;
        }
        return ExitCode.OK.code;
    }
}
