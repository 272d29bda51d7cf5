// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.fleet.Fleet;
import hydrapi.fleet.FleetDirectory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "fleet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"A Hydra server Pi and builder Pis it sends builds to (Nix remote builders over SSH)."},
        subcommands = {FleetCommand.Init.class})
final class FleetCommand implements Runnable {

    /**
     * A builder's speed factor in /etc/nix/machines: twice the server's own line, so Hydra hands a build to an idle
     * builder before it takes it on the server, which also runs PostgreSQL, the evaluator and the web server.
     */
    static final int BUILDER_SPEED_FACTOR = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Makes a fleet directory DIR: the names, and the SSH keys that let the cards trust each "
                + "other on first boot (the server's queue-runner key, each builder's host key). DIR holds secrets "
                + "(0700, keys 0600): keep it, and do not publish images built from it."})
    static final class Init implements Callable<Integer> {

        @ParentCommand
        FleetCommand fleetCommand;

        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Parameters(index = "0", paramLabel = "DIR", description = "Fleet directory to make (absent or empty).")
        Path dir;

        @Option(names = "--server", required = true, paramLabel = "NAME",
                description = "Host name of the Hydra server Pi.")
        String server;

        @Option(names = "--builder", required = true, paramLabel = "NAME",
                description = "Host name of a builder Pi (repeatable).")
        List<String> builders = new ArrayList<>();

        @Option(names = "--system", paramLabel = "SYSTEM", defaultValue = "aarch64-linux",
                description = "Nix system the builders build for (default: ${DEFAULT-VALUE}).")
        String system;

        @Option(names = "--max-jobs", paramLabel = "N", defaultValue = "2",
                description = "Builds each builder runs at once (default: ${DEFAULT-VALUE}).")
        int maxJobs;

        @Override
        public Integer call() throws Exception {
            List<Fleet.Builder> list = new ArrayList<>();
            for (String b : builders) {
                list.add(new Fleet.Builder(b, List.of(system), maxJobs, BUILDER_SPEED_FACTOR));
            }
            FleetDirectory.Loaded f = FleetDirectory.init(dir, new Fleet(server, list), new SecureRandom());
            PrintWriter o = spec.commandLine().getOut();
            if (common.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("fleet", dir.toString());
                m.put("server", server);
                m.put("queueRunnerKey", f.queueRunnerKey().publicKey().strip());
                Map<String, Object> hosts = new LinkedHashMap<>();
                f.hostKeys().forEach((name, key) -> hosts.put(name, key.publicKey().strip()));
                m.put("builderHostKeys", new java.util.TreeMap<>(hosts));
                o.print(Json.write(m));
            } else if (!common.quiet) {
                o.printf("wrote fleet %s: server %s, builders %s%n", dir, server, String.join(", ", builders));
                o.printf("it holds private keys: keep it private, and do not publish images built from it%n");
            }
            o.flush();
            return ExitCode.OK.code;
        }
    }
}
