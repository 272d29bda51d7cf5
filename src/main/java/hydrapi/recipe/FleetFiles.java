// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.fleet.Fleet;
import hydrapi.fleet.FleetMember;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What makes an image one machine of a fleet (docs/fleet.md): on the server, the machines file Hydra's queue runner
 * reads, the builders' host keys pinned in the system's known_hosts and the queue runner's SSH client key; on a
 * builder, its SSH host key and the account the server logs in as, limited to {@code nix-store --serve --write}.
 * Hydra's queue runner runs {@code ssh HOST -i KEY -x -a -oBatchMode=yes … -- nix-store --serve --write} (hydra
 * src/hydra-queue-runner/build-remote.cc, at 993647d and 241ab718), so an unknown host key or a passphrase fails.
 */
final class FleetFiles {

    /** Where the queue runner's key lies: its home's ~/.ssh (the account's home, as ssh finds it), owned by it. */
    static final String QUEUE_RUNNER_HOME = "/var/lib/hydra/queue-runner";
    static final String CLIENT_KEY = QUEUE_RUNNER_HOME + "/.ssh/id_ed25519";
    static final String MACHINES = "/etc/nix/machines";
    static final String KNOWN_HOSTS = "/etc/ssh/ssh_known_hosts";
    /**
     * A builder's host key, outside /etc/ssh: Raspberry Pi OS's regenerate_ssh_host_keys runs
     * {@code rm -f /etc/ssh/ssh_host_*_key*} on first boot, from bookworm's init= firstboot script and from its
     * systemd unit (RPi-Distro/raspberrypi-sys-mods, usr/lib/raspberrypi-sys-mods/). sshd is pointed at it by
     * {@link #SSHD_DROP_IN}.
     */
    static final String HOST_KEY = "/etc/ssh/hydrapi-fleet/ssh_host_ed25519_key";
    static final String SSHD_DROP_IN = "/etc/ssh/sshd_config.d/hydrapi-fleet.conf";
    /** The speed factor of the server's own line: below a builder's, so a free builder is taken first. */
    static final int SERVER_SPEED_FACTOR = 1;

    private FleetFiles() {
    }

    /** The files of {@code o}'s fleet role; {@code accounts} gives the owners' IDs. */
    static List<FileSpec> specs(HydraOptions o, AccountPlan accounts, String localSystem) {
        FleetMember m = o.fleet();
        return m.isServer() ? server(m, accounts, localSystem) : builder(m, o.pin(), accounts);
    }

    private static List<FileSpec> server(FleetMember m, AccountPlan accounts, String localSystem) {
        List<FileSpec> out = new ArrayList<>();
        Fleet fleet = m.fleet().fleet();
        out.add(FileSpec.directory("/etc/nix", 0755));
        out.add(FileSpec.file(MACHINES, 0644, text(machines(fleet, localSystem))));
        StringBuilder known = new StringBuilder("# Written by hydrapi: the host keys of the fleet's builders, which"
                + " the queue runner dials (BatchMode=yes: an unknown key fails).\n");
        for (Fleet.Builder b : fleet.builders()) {
            known.append(b.name()).append(',').append(dialName(b.name())).append(' ')
                    .append(keyOnly(m.fleet().hostKeys().get(b.name()).publicKey())).append('\n');
        }
        out.add(FileSpec.file(KNOWN_HOSTS, 0644, text(known.toString())));
        AccountPlan.User qr = accounts.user("hydra-queue-runner");
        AccountPlan.User hydra = accounts.user("hydra");
        // Owners and modes as hydra-prestart makes them (ensure_dir), so its first run changes nothing.
        out.add(new FileSpec("/var/lib/hydra", FileSpec.Type.DIRECTORY, 0750, hydra.uid(), hydra.gid(), null, null));
        out.add(new FileSpec(QUEUE_RUNNER_HOME, FileSpec.Type.DIRECTORY, 0700, qr.uid(), qr.gid(), null, null));
        out.add(new FileSpec(QUEUE_RUNNER_HOME + "/.ssh", FileSpec.Type.DIRECTORY, 0700, qr.uid(), qr.gid(), null,
                null));
        out.add(new FileSpec(CLIENT_KEY, FileSpec.Type.FILE, 0600, qr.uid(), qr.gid(),
                text(m.fleet().queueRunnerKey().privateKey()), null));
        out.add(new FileSpec(CLIENT_KEY + ".pub", FileSpec.Type.FILE, 0644, qr.uid(), qr.gid(),
                text(m.fleet().queueRunnerKey().publicKey()), null));
        return out;
    }

    private static List<FileSpec> builder(FleetMember m, Pin pin, AccountPlan accounts) {
        List<FileSpec> out = new ArrayList<>();
        out.add(FileSpec.directory("/etc/ssh/hydrapi-fleet", 0755));
        out.add(FileSpec.file(HOST_KEY, 0600, text(m.hostKey().privateKey())));
        out.add(FileSpec.file(HOST_KEY + ".pub", 0644, text(m.hostKey().publicKey())));
        // Once a HostKey is named, sshd offers only the keys named (sshd_config(5), HostKey): the server pinned this
        // one. Debian's sshd_config reads sshd_config.d/*.conf first.
        out.add(FileSpec.directory("/etc/ssh/sshd_config.d", 0755));
        out.add(FileSpec.file(SSHD_DROP_IN, 0644, text("# Written by hydrapi: this builder's host key, which the"
                + " fleet's server " + m.fleet().fleet().server() + " has pinned.\nHostKey " + HOST_KEY + "\n")));
        AccountPlan.User u = accounts.user(AccountPlan.NIX_SSH);
        out.add(new FileSpec(u.home(), FileSpec.Type.DIRECTORY, 0700, u.uid(), u.gid(), null, null));
        out.add(new FileSpec(u.home() + "/.ssh", FileSpec.Type.DIRECTORY, 0700, u.uid(), u.gid(), null, null));
        out.add(new FileSpec(u.home() + "/.ssh/authorized_keys", FileSpec.Type.FILE, 0600, u.uid(), u.gid(),
                text(authorizedKeys(m, pin)), null));
        return out;
    }

    /**
     * /etc/nix/machines (Nix manual, "Remote Builds"; fields: host, systems, identity file, jobs, speed factor).
     * Builders are dialled as NAME.local: Raspberry Pi OS answers its host name there through avahi-daemon (mDNS),
     * with no DNS server on the LAN. The server's own line comes first and is explicit, since Hydra stops building
     * locally once the file exists (hydra-queue-runner.cc, monitorMachinesFile); its lower speed factor makes the
     * dispatcher prefer an idle builder (dispatcher.cc sorts by load, then speed factor).
     */
    static String machines(Fleet fleet, String localSystem) {
        StringBuilder s = new StringBuilder("# Written by hydrapi: where Hydra's queue runner builds (host, systems,"
                + " SSH key, jobs, speed factor).\n");
        s.append("localhost ").append(localSystem).append(" - 1 ").append(SERVER_SPEED_FACTOR).append('\n');
        for (Fleet.Builder b : fleet.builders()) {
            s.append(AccountPlan.NIX_SSH).append('@').append(dialName(b.name())).append(' ')
                    .append(String.join(",", b.systems())).append(' ').append(CLIENT_KEY).append(' ')
                    .append(b.maxJobs()).append(' ').append(b.speedFactor()).append('\n');
        }
        return s.toString();
    }

    /**
     * The server's key, allowed to run the store's serve protocol and nothing else: {@code restrict} turns off
     * forwarding and the tty, {@code command=} replaces whatever the client asked to run (sshd(8), AUTHORIZED_KEYS).
     * Absolute paths: sshd runs the command through a non-login shell, whose PATH has no Nix. Nix 1.11 talks to the
     * daemon only when told (NIX_REMOTE); 2.x finds it by itself.
     */
    static String authorizedKeys(FleetMember m, Pin pin) {
        String command = pin == Pin.LEGACY_2016
                ? "NIX_REMOTE=daemon /usr/local/bin/nix-store --serve --write"
                : "/nix/var/nix/profiles/default/bin/nix-store --serve --write";
        return "# Written by hydrapi: the fleet's server " + m.fleet().fleet().server() + " hands this builder its"
                + " builds.\nrestrict,command=\"" + command + "\" "
                + m.fleet().queueRunnerKey().publicKey().strip() + "\n";
    }

    /** The name the server dials a builder by. */
    static String dialName(String name) {
        return name + ".local";
    }

    /** "ssh-ed25519 AAAA…" without the comment, as known_hosts wants it. */
    private static String keyOnly(String publicLine) {
        String[] f = publicLine.strip().split(" ");
        return f[0] + " " + f[1];
    }

    private static Content text(String s) {
        return new Content.Bytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
