// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;
import hydrapi.fleet.FleetMember;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the image needs to become a Hydra server on first boot, as file specs: accounts, host name, SSH, the
 * disarmed rename wizard, the first-boot driver with its stages and units, and their configuration
 * (hydra-first-boot.md §7, §8; raspberry-pi-os-image.md §2.5, §2.6). Never reads the image: the build hands in the
 * account files it read ({@link AccountSnapshot}).
 */
public final class HydraRecipe {

    static final String FIRSTBOOT_STATE = "/var/lib/hydra-firstboot";
    static final String CACHE = "/var/cache/hydra-firstboot";
    // nixpkgs commit whose pkgs/by-name/hy/hydra/package.nix has src rev 241ab718 with the pin's hash
    // (hydra-first-boot.md §2.2; read at NixOS/nixpkgs@05d7a1950dc4). The full 40 hex digits: a short rev in the
    // archive URL can become ambiguous, and stage 07 checks hydra.src.rev against HYDRA_REV all the same.
    static final String NIXPKGS_REV = "05d7a1950dc429a9006d70ff068290787bf20ac0";
    // sha256 of https://releases.nixos.org/nix/nix-2.31.2/install. The script embeds the sha256 of each binary
    // tarball it fetches, so pinning it pins the whole install (hydra-first-boot.md §3.2). Not fetchable here; the
    // same value is pinned by several unrelated public projects' install scripts (found by searching for the URL).
    static final String NIX_INSTALLER_SHA256 = "078e2ffeddf6a9c1f22adf41458ccc46a58bb26911a9e01579645314f9982994";
    /** cloud-init's own switch: its systemd generator leaves cloud-init.target out while this file exists. */
    static final String CLOUD_INIT_DISABLED = "/etc/cloud/cloud-init.disabled";
    static final String SSH_KEYGEN_UNIT = "hydrapi-ssh-host-keys.service";
    static final String SSH_KEYGEN_UNIT_TEXT = """
            # Written by hydrapi: this Pi's own SSH host keys, made on the Pi before sshd starts (never shipped).
            [Unit]
            Description=SSH host keys for this machine (hydrapi)
            Before=ssh.service
            After=regenerate_ssh_host_keys.service
            ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

            [Service]
            Type=oneshot
            ExecStart=/usr/bin/ssh-keygen -A
            """;
    /** The binary cache's signing key, made by stage 05 on the Pi; hydra-www reads it through group hydra. */
    static final String CACHE_SECRET_KEY = "/etc/nix/hydra-cache.sec";
    // timesyncd advances the clock to this file's mtime when it starts (raspberry-pi-os-image.md §2.7).
    static final String TIMESYNC_CLOCK = "/var/lib/systemd/timesync/clock";

    private final HydraOptions options;
    private final AccountSnapshot snapshot;
    private final ImageRelease release;
    private final ColonFile group;

    /** Refuses, before anything is written, a pin that can only fail on this image's first boot. */
    public HydraRecipe(HydraOptions options, AccountSnapshot snapshot, ImageRelease release)
            throws InvalidInputException {
        options.validate();
        check(options, release);
        this.options = options;
        this.snapshot = snapshot;
        this.release = release;
        this.group = ColonFile.parse(snapshot.group());
    }

    /** Refuses a pin this image's release cannot run. */
    static void check(HydraOptions options, ImageRelease release) throws InvalidInputException {
        if (!options.noHydra()) {
            release.requireSupports(options.pin());
        }
    }

    /**
     * The Nix system the server builds for itself, for its own line in /etc/nix/machines: its userland's, or, for an
     * image that does not show it (no /usr/bin/dpkg, as in hydrapi's bare sample), the first builder's, the system
     * the fleet was made for.
     */
    static String localSystem(FleetMember member, ImageRelease release) {
        String own = release.nixSystem();
        return own != null ? own : member.fleet().fleet().builders().get(0).systems().get(0);
    }

    /** The specs, in no particular order (ImagePlan sorts). Reads the password and Hydra source files named. */
    public List<FileSpec> specs() throws IOException {
        HydraOptions o = options;
        AccountPlan accounts = AccountPlan.of(o, snapshot, AdminPassword.hash(o));
        List<FileSpec> out = new ArrayList<>();
        int shadowGid = gidOf("shadow");

        // Accounts (passwd(5) & co.): owners and modes as Debian's base-passwd and shadow packages leave them.
        out.add(owned("/etc/passwd", 0644, 0, 0, accounts.passwdEdit()));
        out.add(owned("/etc/group", 0644, 0, 0, accounts.groupEdit()));
        out.add(owned("/etc/shadow", 0640, 0, shadowGid, accounts.shadowEdit()));
        out.add(owned("/etc/gshadow", 0640, 0, shadowGid, accounts.gshadowEdit()));
        adminHome(accounts.user(o.adminUser()), accounts.adminIsNew(), out);

        // Host name: /etc/hosts keeps Debian's 127.0.1.1 convention so sudo and hostname -f resolve it.
        out.add(FileSpec.file("/etc/hostname", 0644, text(o.hostname() + "\n")));
        out.add(FileSpec.file("/etc/hosts", 0644, new Content.Edit("map 127.0.1.1 to " + o.hostname(),
                b -> hostsWithName(b, o.hostname()))));

        // A first boot without a real-time clock starts at the build time at the earliest, so TLS certificates and
        // apt's Valid-Until make sense before NTP answers. pi-gen leaves an empty clock owned by systemd-timesync;
        // without that account timesyncd is not what keeps the time, and the file is left alone.
        String[] timesync = ColonFile.parse(snapshot.passwd()).find("systemd-timesync");
        if (timesync != null) {
            out.add(owned(TIMESYNC_CLOCK, 0644, Integer.parseInt(timesync[2]), Integer.parseInt(timesync[3]),
                    new Content.Bytes(new byte[0])));
        }

        // Rename wizard disarmed as cancel-rename does (raspberry-pi-os-image.md §2.5, option 1); a mask instead of
        // removing the enablement link because a plan cannot delete.
        out.add(FileSpec.symlink("/etc/systemd/system/userconfig.service", "/dev/null"));
        out.add(FileSpec.symlink("/etc/systemd/system/getty.target.wants/getty@tty1.service",
                "/lib/systemd/system/getty@.service"));
        out.add(FileSpec.directory("/etc/ssh/sshd_config.d", 0755));
        out.add(FileSpec.file("/etc/ssh/sshd_config.d/rename_user.conf", 0644,
                text("# Emptied by hydrapi: the user rename flow is cancelled, accounts are preconfigured.\n")));

        // SSH on, both ways of raspberry-pi-os-image.md §2.6. No host key is shipped: the Pi makes its own, by
        // Raspberry Pi OS's regenerate_ssh_host_keys where the image has it, else by this unit before sshd starts
        // (sshd -t fails without keys, and trixie's images ship none).
        out.add(FileSpec.symlink("/etc/systemd/system/multi-user.target.wants/ssh.service",
                "/lib/systemd/system/ssh.service"));
        out.add(FileSpec.file("/etc/systemd/system/" + SSH_KEYGEN_UNIT, 0644, text(SSH_KEYGEN_UNIT_TEXT)));
        out.add(FileSpec.symlink("/etc/systemd/system/ssh.service.wants/" + SSH_KEYGEN_UNIT, "../" + SSH_KEYGEN_UNIT));

        // cloud-init (trixie): hydrapi writes accounts, host name and SSH into the root itself, so cloud-init is
        // switched off rather than fed seeds: its users module would run rename-user after adding a user, and
        // its host-name module re-applies the seed's name on every boot (docs/raspberry-pi-os.md, "cloud-init").
        // The Pi's seed files stay on the boot partition, inert.
        if (release.cloudInit()) {
            out.add(FileSpec.file(CLOUD_INIT_DISABLED, 0644, text("# Written by hydrapi: accounts, host name and SSH"
                    + " are in this image already (see /etc/hydrapi/manifest.json). Delete this file to let"
                    + " cloud-init run again.\n")));
        }
        out.addAll(RaspberryPiBoot.specs(o.bootMount(), true, List.of()));

        if (!o.noHydra()) {
            hydra(accounts, out);
        }
        if (o.fleet() != null) {
            out.addAll(FleetFiles.specs(o, accounts, localSystem(o.fleet(), release)));
        }
        return List.copyOf(out);
    }

    /** The /etc/skel copy a new admin needs; empty when the user already existed. */
    public Optional<SkelCopy> skelCopy() throws IOException {
        AccountPlan accounts = AccountPlan.of(options, snapshot, null);
        if (!accounts.adminIsNew()) {
            return Optional.empty();
        }
        AccountPlan.User u = accounts.user(options.adminUser());
        return Optional.of(new SkelCopy("/etc/skel", u.home(), u.uid(), u.gid()));
    }

    private void adminHome(AccountPlan.User admin, boolean isNew, List<FileSpec> out) throws IOException {
        int uid = admin.uid();
        int gid = admin.gid();
        String home = admin.home();
        if (isNew) {
            // adduser's DIR_MODE on bookworm and trixie.
            out.add(new FileSpec(home, FileSpec.Type.DIRECTORY, 0700, uid, gid, null, null));
            if (admin.hash().equals("!")) {
                // No password: key-only login, so sudo must not ask for one (as pi-gen's 010_pi-nopasswd).
                out.add(FileSpec.file("/etc/sudoers.d/010_" + admin.name() + "-nopasswd", 0440,
                        text(admin.name() + " ALL=(ALL) NOPASSWD: ALL\n")));
            }
        }
        if (!options.sshPublicKeys().isEmpty()) {
            StringBuilder keys = new StringBuilder();
            options.sshPublicKeys().forEach(k -> keys.append(k.strip()).append('\n'));
            out.add(new FileSpec(home + "/.ssh", FileSpec.Type.DIRECTORY, 0700, uid, gid, null, null));
            out.add(new FileSpec(home + "/.ssh/authorized_keys", FileSpec.Type.FILE, 0600, uid, gid,
                    text(keys.toString()), null));
        }
    }

    private void hydra(AccountPlan accounts, List<FileSpec> out) throws IOException {
        HydraOptions o = options;
        Pin pin = o.pin();
        boolean server = !o.isFleetBuilder();
        String lib = FirstbootFiles.LIB_DIR;
        out.add(FileSpec.directory(lib, 0755));
        out.add(FileSpec.directory(lib + "/stages", 0755));
        out.add(FileSpec.directory(lib + "/packages", 0755));
        if (server) {
            out.add(FileSpec.directory("/etc/hydra", 0755));
        }
        out.add(FileSpec.directory("/etc/hydra-firstboot", 0755));
        out.add(FileSpec.directory("/usr/lib/systemd/system-preset", 0755));
        out.add(FileSpec.directory(FIRSTBOOT_STATE, 0700));
        out.add(FileSpec.directory(FIRSTBOOT_STATE + "/state", 0700));
        out.add(new FileSpec("/var/log/hydra-firstboot", FileSpec.Type.DIRECTORY, 0750, 0, gidOf("adm"), null, null));
        out.add(FileSpec.directory(CACHE, 0755));
        out.add(FileSpec.directory(CACHE + "/src", 0755));
        for (FirstbootFiles.Entry e : FirstbootFiles.ENTRIES) {
            if ((!e.modernOnly() || pin == Pin.MODERN) && (!e.serverOnly() || server)) {
                out.add(FileSpec.file(e.target(), e.mode(), new Content.Bytes(FirstbootFiles.read(e.resource()))));
            }
        }
        // Enabled without running systemctl in the image (hydra-first-boot.md §8).
        out.add(FileSpec.symlink("/etc/systemd/system/multi-user.target.wants/hydra-firstboot.service",
                "../hydra-firstboot.service"));

        // The pin's sources the build resolved go into the source cache stage 04 and 07 read (hash-checked there
        // again); the rest the Pi downloads and checks against the same hashes.
        PinnedSources sources = o.sources();
        if (sources != null) {
            if (server) {
                out.add(FileSpec.directory(CACHE + "/src/cpan", 0755));
            }
            for (PinnedSources.Source src : sources.all()) {
                // A builder builds Nix, never Hydra.
                if (src.file() != null && (server || src == sources.nix())) {
                    out.add(FileSpec.file(sourcePath(src), 0644, new Content.HostFile(src.file())));
                }
            }
        }
        if (server) {
            jobsets(accounts, out);
            out.add(FileSpec.file("/etc/hydra/hydra.env", 0644, text(hydraEnv(pin, release))));
        }
        out.add(FileSpec.file("/etc/hydra-firstboot/config.env", 0600, text(configEnv())));
        out.add(FileSpec.file("/etc/hydra-firstboot/nix.conf.hydra", 0644, text(nixConf(pin, o))));
    }

    /** Where a source lies in the image: CPAN distributions in their own folder, the others beside it. */
    private String sourcePath(PinnedSources.Source src) {
        boolean cpan = options.sources().cpan().contains(src);
        return CACHE + "/src/" + (cpan ? "cpan/" : "") + src.name();
    }

    /**
     * Each directory jobset's tree below /var/lib/hydra/jobsets/NAME, owned by hydra (its evaluator reads it; no
     * .git), and the list stage 13 reads.
     */
    private void jobsets(AccountPlan accounts, List<FileSpec> out) throws IOException {
        StringBuilder conf = new StringBuilder("# NAME TYPE VALUE [BRANCH]: made by hydrapi, read by stage 13.\n");
        AccountPlan.User hydra = accounts.user("hydra");
        boolean anyDir = options.jobsets().stream().anyMatch(j -> j.dir() != null);
        if (anyDir) {
            out.add(new FileSpec("/var/lib/hydra", FileSpec.Type.DIRECTORY, 0750, hydra.uid(), hydra.gid(), null,
                    null));
            out.add(new FileSpec(Jobset.IMAGE_DIR, FileSpec.Type.DIRECTORY, 0755, hydra.uid(), hydra.gid(), null,
                    null));
        }
        for (Jobset j : options.jobsets()) {
            conf.append(j.configLine()).append('\n');
            if (j.dir() != null) {
                out.addAll(JobsetTree.specs(j.dir(), Jobset.IMAGE_DIR + "/" + j.name(), hydra.uid(), hydra.gid()));
            }
        }
        out.add(FileSpec.file("/etc/hydra-firstboot/jobsets", 0644, text(conf.toString())));
    }

    /**
     * The units' environment (hydra-first-boot.md §4.2). HYDRA_DBI in double quotes: systemd's EnvironmentFile
     * strips them, and the shell that sources this file from /etc/profile.d would otherwise end the assignment at
     * the first ';'.
     */
    static String hydraEnv(Pin pin, ImageRelease release) {
        StringBuilder s = new StringBuilder("# Environment of the Hydra units and of login shells (/etc/profile.d/hydra.sh).\n");
        s.append("HYDRA_DBI=\"dbi:Pg:dbname=hydra;user=hydra;\"\n");
        s.append("HYDRA_DATA=/var/lib/hydra\n");
        s.append("HYDRA_CONFIG=/var/lib/hydra/hydra.conf\n");
        s.append("NIX_REMOTE=daemon\n");
        s.append("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n");
        if (pin == Pin.LEGACY_2016) {
            // make install puts no wrappers around the Perl scripts: HYDRA_HOME has no default
            // (hydra-first-boot.md §1.6). Nix 1.11's Perl bindings land in site_perl/<perl>/<archname>; bookworm's
            // perl is 5.36.0. An image whose architecture the build could not read gets every archname a Pi (or a
            // test machine) may have.
            s.append("HYDRA_HOME=/usr/local/libexec/hydra\n");
            String arch = release.perlArchname();
            List<String> archnames = arch != null ? List.of(arch) : List.of("aarch64-linux-gnu-thread-multi",
                    "arm-linux-gnueabihf-thread-multi-64int", "x86_64-linux-gnu-thread-multi");
            s.append("PERL5LIB=/usr/local/libexec/hydra/lib");
            for (String a : archnames) {
                s.append(":/usr/local/lib/perl5/site_perl/5.36.0/").append(a);
            }
            s.append('\n');
            s.append("PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin\n");
        } else {
            // nixpkgs' wrappers set HYDRA_HOME and PERL5LIB themselves (hydra-first-boot.md §2.3).
            s.append("PATH=/nix/var/nix/profiles/hydra/bin:/nix/var/nix/profiles/default/bin"
                    + ":/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin\n");
        }
        return s.toString();
    }

    private String configEnv() throws InvalidInputException {
        HydraOptions o = options;
        Pin pin = o.pin();
        StringBuilder s = new StringBuilder("# Written by hydrapi; read by /usr/local/lib/hydra-firstboot/run.\n");
        kv(s, "PIN", pin.id());
        kv(s, "ROLE", o.isFleetBuilder() ? "builder" : "server");
        kv(s, "HYDRA_REV", pin.hydraRev());
        kv(s, "NIX_VERSION", pin.nixVersion());
        kv(s, "NIX_BUILD_USERS", Integer.toString(o.buildUsers()));
        if (!o.isFleetBuilder()) {
            kv(s, "HYDRA_URL", "http://" + o.hostname() + ":3000");
            kv(s, "NOTIFICATION_SENDER", "hydra@" + o.hostname());
        }
        kv(s, "ADMIN_USER", o.adminUser());
        kv(s, "ADMIN_FULLNAME", o.adminUser());
        kv(s, "ADMIN_EMAIL", o.adminEmail() != null ? o.adminEmail() : o.adminUser() + "@" + o.hostname());
        kv(s, "NOT_BEFORE", Long.toString(o.now().getEpochSecond()));
        kv(s, "BOOT_MOUNT", o.bootMount());
        if (o.isFleetBuilder()) {
            kv(s, "FLEET_SERVER", o.fleet().fleet().fleet().server());
        } else {
            // The binary cache's signing key, made on the Pi (never in the image): named after the host, "-1" the
            // number to raise when a key is revoked (Nix manual, nix-store --generate-binary-cache-key).
            kv(s, "CACHE_KEY_NAME", o.hostname() + "-1");
        }
        PinnedSources src = o.sources();
        if (src != null) {
            kv(s, "NIX_TARBALL_SHA256", src.nix().hash());
            kv(s, "NIX_TARBALL_URL", src.nix().url());
        }
        if (src != null && !o.isFleetBuilder()) {
            kv(s, "HYDRA_SOURCE", sourcePath(src.hydra()));
            kv(s, "HYDRA_SOURCE_URL", src.hydra().url());
            kv(s, "HYDRA_NAR_HASH_BASE32", Nix32.encode(NarHash.parse(src.hydra().hash())));
            kv(s, "CPAN_MODULES", String.join(" ", PinnedSources.CPAN_MODULES));
            StringBuilder dists = new StringBuilder();
            for (PinnedSources.Source c : src.cpan()) {
                // SHA256=URL: the hex has no '=', a URL may.
                dists.append(dists.length() == 0 ? "" : " ").append(c.hash()).append('=').append(c.url());
            }
            kv(s, "CPAN_DISTS", dists.toString());
        }
        if (pin == Pin.MODERN) {
            kv(s, "NIXPKGS_REV", NIXPKGS_REV);
            kv(s, "NIX_INSTALLER_SHA256", NIX_INSTALLER_SHA256);
        }
        return s.toString();
    }

    /**
     * The nix.conf block stage 05 merges; Nix 1.11 and 2.x name the same settings differently
     * (hydra-first-boot.md §1.3, §4.2). The trusted user is whoever imports builds: Hydra's queue runner on a server,
     * the server's login on a fleet's builder (Nix manual, "Remote Builds"). A modern server signs what its daemon
     * builds with the cache key stage 05 makes, and leaves /etc/nix/machines to Hydra: by default the daemon would
     * read it too (builders = @/etc/nix/machines) and dial the builders as root, who has no key for them.
     */
    static String nixConf(Pin pin, HydraOptions o) {
        String trusted = "trusted-users = root " + (o.isFleetBuilder() ? AccountPlan.NIX_SSH : "hydra-queue-runner")
                + "\n";
        if (pin == Pin.LEGACY_2016) {
            return "build-users-group = nixbld\n" + trusted + "gc-keep-outputs = true\n"
                    + "gc-keep-derivations = true\ngc-check-reachability = false\nbuild-max-jobs = 1\n";
        }
        String s = trusted + "keep-outputs = true\nkeep-derivations = true\nmax-jobs = 1\ncores = 0\n";
        if (!o.isFleetBuilder()) {
            s += "secret-key-files = " + CACHE_SECRET_KEY + "\n";
        }
        if (o.fleet() != null && o.fleet().isServer()) {
            s += "builders =\n";
        }
        return s;
    }

    static byte[] hostsWithName(byte[] hosts, String hostname) {
        String line = "127.0.1.1\t" + hostname;
        List<String> out = new ArrayList<>();
        boolean done = false;
        for (String l : new String(hosts, StandardCharsets.UTF_8).split("\n")) {
            if (l.startsWith("127.0.1.1")) {
                if (!done) {
                    out.add(line);
                    done = true;
                }
            } else if (!l.isEmpty() || !out.isEmpty()) {
                out.add(l);
            }
        }
        if (!done) {
            out.add(line);
        }
        return (String.join("\n", out) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private int gidOf(String name) {
        String[] line = group.find(name);
        return line == null ? 0 : Integer.parseInt(line[2]);
    }

    private static FileSpec owned(String path, int mode, int uid, int gid, Content content) {
        return new FileSpec(path, FileSpec.Type.FILE, mode, uid, gid, content, null);
    }

    private static Content text(String s) {
        return new Content.Bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** KEY='value' with the shell's single-quote escape; config.env is sourced by bash. */
    private static void kv(StringBuilder s, String key, String value) {
        s.append(key).append("='").append(value.replace("'", "'\\''")).append("'\n");
    }
}
