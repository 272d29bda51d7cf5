// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;
import hydrapi.plan.Content;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The accounts Hydra needs, with IDs picked once from the image's passwd and group, turned into idempotent edits of
 * the four account files. Existing entries win: a user or group already there keeps its IDs and line.
 */
final class AccountPlan {

    /** A group to create, or whose member list to extend. */
    record Group(String name, int gid, List<String> members) {
        Group {
            members = List.copyOf(members);
        }
    }

    /** A user to create; {@code hash} is the shadow password field, null for "keep what an existing entry has". */
    record User(String name, int uid, int gid, String gecos, String home, String shell, String hash, boolean system) {
    }

    // Debian login.defs SYS_UID_MIN/SYS_UID_MAX defaults; useradd -r and systemd-sysusers count down from the top.
    static final int SYSTEM_MIN = 100;
    static final int SYSTEM_MAX = 999;
    // adduser.conf FIRST_UID/LAST_UID, FIRST_GID/LAST_GID.
    static final int USER_MIN = 1000;
    static final int USER_MAX = 59999;
    // The upstream multi-user installer's NIX_BUILD_GROUP_ID and NIX_FIRST_BUILD_UID (hydra-first-boot.md §3.2), so
    // a later installer run finds the accounts it would have made.
    static final int NIXBLD_GID = 30000;
    // pi-gen stage1 00-run.sh: the groups of the first user, where the image has them.
    static final List<String> ADMIN_GROUPS = List.of("adm", "dialout", "cdrom", "sudo", "audio", "video", "plugdev",
            "games", "users", "input", "render", "netdev", "spi", "i2c", "gpio");

    static final String NIX_SSH = "nix-ssh";
    static final String NIX_SSH_HOME = "/var/lib/nix-ssh";

    private final List<Group> groups = new ArrayList<>();
    private final List<String[]> memberships = new ArrayList<>();
    private final List<User> users = new ArrayList<>();
    private final long lastChangeDays;
    private final String adminUser;
    private boolean adminIsNew;

    private AccountPlan(long lastChangeDays, String adminUser) {
        this.lastChangeDays = lastChangeDays;
        this.adminUser = adminUser;
    }

    /** {@code adminHash}: the admin's crypt hash, or null for none (a new admin is then locked with "!"). */
    static AccountPlan of(HydraOptions o, AccountSnapshot snapshot, String adminHash) throws InvalidInputException {
        ColonFile passwd = ColonFile.parse(snapshot.passwd());
        ColonFile group = ColonFile.parse(snapshot.group());
        Set<Integer> uids = passwd.ids(2);
        Set<Integer> gids = group.ids(2);
        AccountPlan p = new AccountPlan(o.now().getEpochSecond() / 86400, o.adminUser());

        if (!o.noHydra()) {
            int nixGid = existingId(group, "nixbld", 2);
            if (nixGid < 0) {
                nixGid = freeUp(NIXBLD_GID, gids, Set.of());
            }
            gids.add(nixGid);
            List<String> members = new ArrayList<>();
            for (int k = 1; k <= o.buildUsers(); k++) {
                String name = "nixbld" + k;
                int uid = existingId(passwd, name, 2);
                if (uid < 0) {
                    uid = freeUp(NIXBLD_GID + k, uids, Set.of());
                }
                uids.add(uid);
                members.add(name);
                p.users.add(new User(name, uid, nixGid, "Nix build user " + k, "/var/empty", "/usr/sbin/nologin",
                        "!", true));
            }
            // Nix 1.11 takes build users from the group's member list, not from primary GIDs (§1.3).
            p.groups.add(new Group("nixbld", nixGid, members));

            if (o.isFleetBuilder()) {
                p.addNixSsh(passwd, group, uids, gids);
            } else {
                int hydraGid = existingId(group, "hydra", 2);
                if (hydraGid < 0) {
                    hydraGid = freeDown(SYSTEM_MAX, SYSTEM_MIN, gids, uids);
                }
                gids.add(hydraGid);
                p.groups.add(new Group("hydra", hydraGid, List.of()));
                String[][] hydraUsers = {
                    {"hydra", "Hydra", "/var/lib/hydra"},
                    {"hydra-queue-runner", "Hydra queue runner", "/var/lib/hydra/queue-runner"},
                    {"hydra-www", "Hydra web server", "/var/lib/hydra/www"},
                };
                for (String[] u : hydraUsers) {
                    int uid = existingId(passwd, u[0], 2);
                    if (uid < 0) {
                        // hydra gets its group's number when free, as useradd -r -U would.
                        uid = u[0].equals("hydra") && !uids.contains(hydraGid) ? hydraGid
                                : freeDown(SYSTEM_MAX, SYSTEM_MIN, uids, gids);
                    }
                    uids.add(uid);
                    p.users.add(new User(u[0], uid, hydraGid, u[1], u[2], "/bin/bash", "!", true));
                }
            }
        }

        String[] admin = passwd.find(o.adminUser());
        if (admin != null && !isLoginAccount(admin)) {
            // Sudo and an authorized_keys for daemon, sshd or nobody would open a service account to logins.
            throw InvalidInputException.about(HydraOptions.ADMIN_USER, "'" + o.adminUser() + "' is a system account"
                    + " of the image (UID " + admin[2] + " in /etc/passwd); choose a login name of your own");
        }
        if (admin == null) {
            p.adminIsNew = true;
            int gid = existingId(group, o.adminUser(), 2);
            if (gid < 0) {
                gid = freeUp(USER_MIN, gids, uids);
            }
            gids.add(gid);
            int uid = !uids.contains(gid) ? gid : freeUp(USER_MIN, uids, Set.of());
            uids.add(uid);
            p.groups.add(new Group(o.adminUser(), gid, List.of()));
            p.users.add(new User(o.adminUser(), uid, gid, ",,,", "/home/" + o.adminUser(), "/bin/bash",
                    adminHash == null ? "!" : adminHash, false));
        } else {
            p.users.add(new User(o.adminUser(), Integer.parseInt(admin[2]), Integer.parseInt(admin[3]), admin[4],
                    admin[5], admin[6], adminHash, false));
        }
        for (String g : ADMIN_GROUPS) {
            if (group.find(g) != null) {
                p.memberships.add(new String[] {g, o.adminUser()});
            }
        }
        return p;
    }

    /**
     * The account a fleet's server logs in as to hand a builder its builds (the name of NixOS's nix.sshServe,
     * nixos/modules/services/misc/nix-ssh-serve.nix): a system account with its own group and a real shell, since
     * sshd runs the forced command through it; "*" in shadow, no password yet not locked, as sshd refuses a locked
     * account's keys when PAM is off (OpenSSH auth.c, allowed_user()).
     */
    private void addNixSsh(ColonFile passwd, ColonFile group, Set<Integer> uids, Set<Integer> gids) {
        int gid = existingId(group, NIX_SSH, 2);
        if (gid < 0) {
            gid = freeDown(SYSTEM_MAX, SYSTEM_MIN, gids, uids);
        }
        gids.add(gid);
        groups.add(new Group(NIX_SSH, gid, List.of()));
        int uid = existingId(passwd, NIX_SSH, 2);
        if (uid < 0) {
            uid = !uids.contains(gid) ? gid : freeDown(SYSTEM_MAX, SYSTEM_MIN, uids, gids);
        }
        uids.add(uid);
        users.add(new User(NIX_SSH, uid, gid, "Nix remote builds for the fleet's server", NIX_SSH_HOME, "/bin/bash",
                "*", true));
    }

    User user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no planned user " + name));
    }

    List<User> users() {
        return List.copyOf(users);
    }

    List<Group> groups() {
        return List.copyOf(groups);
    }

    boolean adminIsNew() {
        return adminIsNew;
    }

    Content.Edit passwdEdit() {
        return new Content.Edit("add users " + names(), bytes -> {
            ColonFile f = ColonFile.parse(bytes);
            for (User u : users) {
                if (f.find(u.name()) == null) {
                    requireFree(f, u.uid(), u.name(), "/etc/passwd");
                    f.append(u.name(), "x", Integer.toString(u.uid()), Integer.toString(u.gid()), u.gecos(), u.home(),
                            u.shell());
                }
            }
            return f.bytes();
        });
    }

    Content.Edit shadowEdit() {
        return new Content.Edit("add shadow entries for " + names(), bytes -> {
            ColonFile f = ColonFile.parse(bytes);
            String day = Long.toString(lastChangeDays);
            for (User u : users) {
                String[] line = f.find(u.name());
                if (line == null) {
                    String hash = u.hash() == null ? "!" : u.hash();
                    if (u.system()) {
                        f.append(u.name(), hash, day, "", "", "", "", "", "");
                    } else {
                        f.append(u.name(), hash, day, "0", "99999", "7", "", "", "");
                    }
                } else if (u.name().equals(adminUser) && u.hash() != null && line.length >= 3) {
                    line[1] = u.hash();
                    line[2] = day;
                    f.set(u.name(), line);
                }
            }
            return f.bytes();
        });
    }

    Content.Edit groupEdit() {
        return new Content.Edit("add groups and members " + groupNames(), bytes -> {
            ColonFile f = ColonFile.parse(bytes);
            for (Group g : groups) {
                if (f.find(g.name()) == null) {
                    requireFree(f, g.gid(), g.name(), "/etc/group");
                    f.append(g.name(), "x", Integer.toString(g.gid()), String.join(",", g.members()));
                }
                addMembers(f, g.name(), g.members());
            }
            for (String[] m : memberships) {
                addMembers(f, m[0], List.of(m[1]));
            }
            return f.bytes();
        });
    }

    Content.Edit gshadowEdit() {
        return new Content.Edit("add gshadow entries and members " + groupNames(), bytes -> {
            ColonFile f = ColonFile.parse(bytes);
            for (Group g : groups) {
                if (f.find(g.name()) == null) {
                    f.append(g.name(), "!", "", String.join(",", g.members()));
                }
                addMembers(f, g.name(), g.members());
            }
            for (String[] m : memberships) {
                addMembers(f, m[0], List.of(m[1]));
            }
            return f.bytes();
        });
    }

    /** Appends missing names to the member list (field 3 in both group and gshadow), keeping the order found. */
    private static void addMembers(ColonFile f, String group, List<String> names) {
        String[] line = f.find(group);
        if (line == null || line.length < 4) {
            return;
        }
        Set<String> members = new LinkedHashSet<>();
        for (String m : line[3].split(",")) {
            if (!m.isEmpty()) {
                members.add(m);
            }
        }
        if (members.addAll(names)) {
            line[3] = String.join(",", members);
            f.set(group, line);
        }
    }

    private static void requireFree(ColonFile f, int id, String name, String file) {
        String holder = f.holderOf(2, id);
        if (holder != null) {
            throw new IllegalStateException(file + ": planned ID " + id + " for " + name + " is held by " + holder
                    + " (the file changed after the recipe read it)");
        }
    }

    /** A passwd entry of a person: UID 1000..59999, Debian's range for them (adduser.conf FIRST_UID..LAST_UID). */
    private static boolean isLoginAccount(String[] entry) {
        try {
            int uid = Integer.parseInt(entry[2]);
            return uid >= USER_MIN && uid < 60000;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    private static int existingId(ColonFile f, String name, int field) {
        String[] line = f.find(name);
        return line == null ? -1 : Integer.parseInt(line[field]);
    }

    private static int freeUp(int from, Set<Integer> used, Set<Integer> alsoAvoid) {
        for (int id = from; id < Integer.MAX_VALUE; id++) {
            if (!used.contains(id) && !alsoAvoid.contains(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free ID from " + from);
    }

    private static int freeDown(int from, int min, Set<Integer> used, Set<Integer> alsoAvoid) {
        for (int id = from; id >= min; id--) {
            if (!used.contains(id) && !alsoAvoid.contains(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free system ID in " + min + ".." + from);
    }

    private String names() {
        return String.join(",", users.stream().map(User::name).toList());
    }

    private String groupNames() {
        Set<String> names = new TreeSet<>();
        groups.forEach(g -> names.add(g.name()));
        memberships.forEach(m -> names.add(m[0]));
        return String.join(",", names);
    }
}
