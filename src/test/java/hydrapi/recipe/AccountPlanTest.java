// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.plan.Content;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class AccountPlanTest {

    static HydraOptions options(String admin, boolean noHydra) {
        return new HydraOptions("hydra", admin, List.of(), null, null, Pin.LEGACY_2016, PinnedSources.of(Pin.LEGACY_2016), null, 4, noHydra,
                Instant.parse("2026-01-01T00:00:00Z"), true, "/boot/firmware", List.of());
    }

    static String apply(Content.Edit edit, String text) {
        return new String(edit.change().apply(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    record Files4(String passwd, String group, String shadow, String gshadow) {
    }

    static Files4 applyAll(AccountPlan p, Files4 in) {
        return new Files4(apply(p.passwdEdit(), in.passwd()), apply(p.groupEdit(), in.group()),
                apply(p.shadowEdit(), in.shadow()), apply(p.gshadowEdit(), in.gshadow()));
    }

    static Files4 sample() throws Exception {
        return new Files4(SampleRootfs.file("/etc/passwd"), SampleRootfs.file("/etc/group"),
                SampleRootfs.file("/etc/shadow"), SampleRootfs.file("/etc/gshadow"));
    }

    @Test
    void of_sampleGetsDeterministicIdsTopDownInTheSystemRange() throws Exception {
        AccountPlan p = AccountPlan.of(options("alice", false), SampleRootfs.snapshot(), null);
        Files4 out = applyAll(p, sample());
        // Sample: UIDs 0-3, 100, 998, 65534; GIDs 0-4, 27, 42, 100, 998, 65534. 999 is free in both.
        assertTrue(out.group().contains("\nhydra:x:999:\n"), out.group());
        assertTrue(out.passwd().contains("\nhydra:x:999:999:Hydra:/var/lib/hydra:/bin/bash\n"), out.passwd());
        assertTrue(out.passwd().contains("\nhydra-queue-runner:x:997:999:"), out.passwd());
        assertTrue(out.passwd().contains("\nhydra-www:x:996:999:"), out.passwd());
        assertTrue(out.group().contains("\nnixbld:x:30000:nixbld1,nixbld2,nixbld3,nixbld4\n"), out.group());
        assertTrue(out.passwd().contains("\nnixbld3:x:30003:30000:Nix build user 3:/var/empty:/usr/sbin/nologin\n"));
        assertTrue(out.passwd().contains("\nalice:x:1000:1000:,,,:/home/alice:/bin/bash\n"), out.passwd());
        assertTrue(out.group().contains("\nalice:x:1000:\n"));
        assertTrue(out.group().contains("\nsudo:x:27:alice\n"));
        assertTrue(out.group().contains("\nadm:x:4:alice\n"));
        assertTrue(out.group().contains("\nusers:x:100:alice\n"));
        assertTrue(out.gshadow().contains("\nnixbld:!::nixbld1,nixbld2,nixbld3,nixbld4\n"), out.gshadow());
        assertTrue(out.gshadow().contains("\nsudo:*::alice\n"), out.gshadow());
        // 2026-01-01 is day 20454; no password means locked.
        assertTrue(out.shadow().contains("\nalice:!:20454:0:99999:7:::\n"), out.shadow());
        assertTrue(out.shadow().contains("\nhydra:!:20454::::::\n"), out.shadow());
        // Lines already there come back unchanged, in place.
        assertTrue(out.passwd().startsWith(SampleRootfs.file("/etc/passwd")));
        assertTrue(out.shadow().startsWith(SampleRootfs.file("/etc/shadow")));
    }

    @Test
    void edits_secondApplicationChangesNothing() throws Exception {
        AccountPlan p = AccountPlan.of(options("alice", false), SampleRootfs.snapshot(), "$6$salt$hash");
        Files4 once = applyAll(p, sample());
        Files4 twice = applyAll(p, once);
        assertEquals(once, twice);
        // A plan made from the edited files finds everything and changes nothing either.
        AccountPlan again = AccountPlan.of(options("alice", false), new AccountSnapshot(once.passwd(), once.group()),
                "$6$salt$hash");
        assertEquals(once, applyAll(again, once));
    }

    @Test
    void of_avoidsIdsHeldByEitherFile() throws Exception {
        Files4 s = sample();
        Files4 in = new Files4(s.passwd() + "svc:x:996:65534::/:/usr/sbin/nologin\n", s.group() + "foo:x:999:\n",
                s.shadow(), s.gshadow());
        AccountPlan p = AccountPlan.of(options("alice", false), new AccountSnapshot(in.passwd(), in.group()), null);
        Files4 out = applyAll(p, in);
        assertTrue(out.group().contains("\nhydra:x:997:\n"), out.group());
        assertTrue(out.passwd().contains("\nhydra:x:997:997:"), out.passwd());
        assertTrue(out.passwd().contains("\nhydra-queue-runner:x:995:997:"), out.passwd());
        assertTrue(out.passwd().contains("\nhydra-www:x:994:997:"), out.passwd());
    }

    @Test
    void of_respectsExistingEntries() throws Exception {
        Files4 s = sample();
        Files4 in = new Files4(
                s.passwd() + "alice:x:1001:1001:Alice:/home/alice:/bin/zsh\nhydra:x:500:500::/srv/hydra:/bin/sh\n",
                s.group().replace("sudo:x:27:", "sudo:x:27:bob") + "alice:x:1001:\nhydra:x:500:\nnixbld:x:31000:nixbld1\n",
                s.shadow() + "alice:$y$old:19000:0:99999:7:::\n", s.gshadow().replace("sudo:*::", "sudo:*::bob"));
        AccountPlan p = AccountPlan.of(options("alice", false), new AccountSnapshot(in.passwd(), in.group()), null);
        Files4 out = applyAll(p, in);
        assertTrue(out.passwd().contains("\nalice:x:1001:1001:Alice:/home/alice:/bin/zsh\n"));
        assertTrue(out.passwd().contains("\nhydra:x:500:500::/srv/hydra:/bin/sh\n"));
        assertTrue(out.passwd().contains("\nhydra-queue-runner:x:999:500:"), out.passwd());
        assertTrue(out.group().contains("\nsudo:x:27:bob,alice\n"), out.group());
        assertTrue(out.gshadow().contains("\nsudo:*::bob,alice\n"), out.gshadow());
        assertTrue(out.group().contains("\nnixbld:x:31000:nixbld1,nixbld2,nixbld3,nixbld4\n"), out.group());
        assertTrue(out.passwd().contains("\nnixbld2:x:30002:31000:"), out.passwd());
        // No password given: the existing hash stays.
        assertTrue(out.shadow().contains("\nalice:$y$old:19000:0:99999:7:::\n"), out.shadow());
        assertEquals(1001, p.user("alice").uid());
    }

    @Test
    void shadowEdit_setsGivenHashOnExistingAdmin() throws Exception {
        Files4 s = sample();
        String passwd = s.passwd() + "alice:x:1001:1001::/home/alice:/bin/bash\n";
        String shadow = s.shadow() + "alice:!:19000:0:99999:7:::\n";
        AccountPlan p = AccountPlan.of(options("alice", true), new AccountSnapshot(passwd, s.group()), "$y$j9T$abc");
        String out = apply(p.shadowEdit(), shadow);
        assertTrue(out.contains("\nalice:$y$j9T$abc:20454:0:99999:7:::\n"), out);
        assertEquals(out, apply(p.shadowEdit(), out));
    }

    @Test
    void of_noHydraPlansOnlyTheAdmin() throws Exception {
        AccountPlan p = AccountPlan.of(options("alice", true), SampleRootfs.snapshot(), null);
        assertEquals(List.of("alice"), p.users().stream().map(AccountPlan.User::name).toList());
    }
}
