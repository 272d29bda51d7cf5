// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.CorruptImageException;
import hydrapi.InvalidInputException;
import hydrapi.image.BaseImage;
import hydrapi.image.ImageView;
import hydrapi.trust.BuildManifest;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Shows an image's partition table, or lists (--ls) or prints (--cat) a path of it as the "
            + "running Pi sees it (/boot/firmware/cmdline.txt, /etc/fstab), or prints its build manifest (--manifest)."})
final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image (.img, .img.xz or .zip).")
    Path image;

    @ArgGroup(exclusive = true)
    What what;

    static final class What {
        @Option(names = "--ls", paramLabel = "PATH", description = "List a directory (or one file) of the image.")
        String ls;

        @Option(names = "--cat", paramLabel = "PATH", description = "Write a file's bytes to standard output.")
        String cat;

        @Option(names = "--manifest", description = "Print the build manifest hydrapi wrote into the image "
                + "(/etc/hydrapi/manifest.json), after checking that it is one.")
        boolean manifest;
    }

    @Override
    public Integer call() throws Exception {
        BaseImage opened;
        try (ProgressScope progress = ProgressScope.open(main, common, spec)) {
            // Inspecting reads a few blocks; the full check is verify's job.
            opened = BaseImage.open(image, Context.tmpDir(), progress, common.threads(), true, false);
        }
        try (BaseImage img = opened) {
            ImageView view = ImageView.open(img.device(), image.getFileName().toString());
            PrintWriter o = spec.commandLine().getOut();
            if (what != null && (what.cat != null || what.manifest)) {
                byte[] bytes = what.manifest ? manifest(view) : view.read(what.cat);
                o.flush();
                main.stdout.write(bytes);
                main.stdout.flush();
            } else if (what != null && what.ls != null) {
                printListing(o, view.list(what.ls));
            } else {
                printPartitions(o, view);
            }
            o.flush();
        }
        return ExitCode.OK.code;
    }

    /** The in-image manifest's bytes as written (JSON already), once they parse as a manifest. */
    private byte[] manifest(ImageView view) throws IOException {
        String path = BuildManifest.IN_IMAGE_PATH;
        if (!view.exists(path)) {
            throw new InvalidInputException(image + " holds no " + path + "; it was not built by a hydrapi that"
                    + " writes build manifests");
        }
        byte[] bytes = view.read(path);
        try {
            BuildManifest.parse(new String(bytes, StandardCharsets.UTF_8), image + ":" + path);
        } catch (InvalidInputException e) {
            throw new CorruptImageException(e.getMessage(), e);
        }
        return bytes;
    }

    private void printPartitions(PrintWriter o, ImageView view) {
        List<ImageView.PartitionInfo> parts = view.partitions();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", image.toString());
            m.put("diskId", String.format("%08x", view.disk().mbr().diskId()));
            m.put("sizeBytes", view.disk().device().sizeBytes());
            List<Object> list = new ArrayList<>();
            for (ImageView.PartitionInfo p : parts) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("index", p.entry().index());
                pm.put("type", String.format("0x%02x", p.entry().type()));
                pm.put("typeName", p.entry().typeName());
                pm.put("bootable", p.entry().bootable());
                pm.put("startBytes", p.entry().startBytes());
                pm.put("sizeBytes", p.entry().sizeBytes());
                pm.put("partuuid", view.disk().mbr().partUuid(p.entry().index()));
                pm.put("filesystem", p.filesystem());
                pm.put("label", p.label());
                pm.put("mountPoint", p.mountPoint());
                pm.put("problem", InputOptions.render(p.problem()));
                list.add(pm);
            }
            m.put("partitions", list);
            o.print(Json.write(m));
            return;
        }
        o.printf("disk %s: %d bytes, MBR, disk id %08x%n", image, view.disk().device().sizeBytes(),
                view.disk().mbr().diskId());
        o.printf("%-3s %-12s %12s %12s  %-7s %-10s %-15s %s%n", "#", "type", "start", "size", "fs", "label",
                "mount", "partuuid");
        for (ImageView.PartitionInfo p : parts) {
            o.printf("%-3d %-12s %12d %12d  %-7s %-10s %-15s %s%n", p.entry().index(), p.entry().typeName(),
                    p.entry().startBytes(), p.entry().sizeBytes(), p.filesystem(),
                    p.label() == null ? "-" : p.label(), p.mountPoint() == null ? "-" : p.mountPoint(),
                    view.disk().mbr().partUuid(p.entry().index()));
            if (p.problem() != null) {
                o.printf("    cannot read: %s%n", InputOptions.render(p.problem()));
            }
        }
    }

    private void printListing(PrintWriter o, List<ImageView.Entry> entries) {
        if (common.json) {
            List<Object> list = new ArrayList<>();
            for (ImageView.Entry e : entries) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("type", String.valueOf(e.type()));
                m.put("mode", String.format("%04o", e.mode()));
                m.put("uid", e.uid());
                m.put("gid", e.gid());
                m.put("sizeBytes", e.sizeBytes());
                m.put("mtime", Instant.ofEpochSecond(e.mtimeSeconds()).toString());
                m.put("linkTarget", e.linkTarget());
                list.add(m);
            }
            o.print(Json.write(list));
            return;
        }
        for (ImageView.Entry e : entries) {
            o.printf("%c%s %5d %5d %10d %s %s%s%n", e.type(), rwx(e.mode()), e.uid(), e.gid(), e.sizeBytes(),
                    Instant.ofEpochSecond(e.mtimeSeconds()), e.name(),
                    e.linkTarget() != null ? " -> " + e.linkTarget() : "");
        }
    }

    static String rwx(int mode) {
        StringBuilder sb = new StringBuilder();
        String chars = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? chars.charAt(i) : '-');
        }
        if ((mode & 04000) != 0) {
            sb.setCharAt(2, sb.charAt(2) == 'x' ? 's' : 'S');
        }
        if ((mode & 02000) != 0) {
            sb.setCharAt(5, sb.charAt(5) == 'x' ? 's' : 'S');
        }
        if ((mode & 01000) != 0) {
            sb.setCharAt(8, sb.charAt(8) == 'x' ? 't' : 'T');
        }
        return sb.toString();
    }
}
