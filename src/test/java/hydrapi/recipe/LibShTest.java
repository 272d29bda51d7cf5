// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The helpers of firstboot/lib.sh, run by bash. */
class LibShTest {

    @TempDir
    Path tmp;

    private String bash(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "set -Eeuo pipefail; . firstboot/lib.sh; " + script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void backoffDelay_doublesFromTheBaseUpToTheCap() throws Exception {
        // hydra-first-boot.md §7: 60 s, 2 m, 4 m … capped at 30 m; the first attempt does not wait.
        assertEquals("0 60 120 240 480 960 1800 1800 1800 ",
                bash("for n in 1 2 3 4 5 6 7 8 20; do printf '%s ' \"$(backoff_delay \"$n\")\"; done"));
    }

    @Test
    void replaceBlock_isIdempotentAndPlacesTheBlock() throws Exception {
        Path f = tmp.resolve("pg_hba.conf");
        Files.writeString(f, "local all postgres peer\nlocal all all peer\n");
        bash("replace_block " + f + " top 'local hydra all peer map=hydra-users'");
        String once = Files.readString(f);
        assertEquals("# BEGIN hydra-firstboot\nlocal hydra all peer map=hydra-users\n# END hydra-firstboot\n"
                + "local all postgres peer\nlocal all all peer\n", once);
        bash("replace_block " + f + " top 'local hydra all peer map=hydra-users'");
        assertEquals(once, Files.readString(f));
        bash("replace_block " + f + " top 'local hydra all peer map=other'");
        assertEquals(once.replace("map=hydra-users", "map=other"), Files.readString(f));

        Path conf = tmp.resolve("nix.conf");
        bash("replace_block " + conf + " bottom 'a = 1'; replace_block " + conf + " bottom 'a = 1'");
        assertEquals("# BEGIN hydra-firstboot\na = 1\n# END hydra-firstboot\n", Files.readString(conf));
    }

    @Test
    void markDone_writesThePinStringAtomically() throws Exception {
        Path state = tmp.resolve("state");
        String out = bash("export HYDRA_FIRSTBOOT_STATE=" + state + "; FB_STATE=" + state
                + "; PIN=modern HYDRA_REV=abc NIX_VERSION=2.31.2; mark_done 04-install-nix;"
                + " stamp_current 04-install-nix && echo current; HYDRA_REV=def; stamp_current 04-install-nix || echo stale");
        assertEquals("current\nstale\n", out);
        assertEquals("modern hydra=abc nix=2.31.2", Files.readString(state.resolve("state/04-install-nix.done")));
        assertEquals(1, Files.list(state.resolve("state")).count(), "no .tmp left behind");
    }
}
