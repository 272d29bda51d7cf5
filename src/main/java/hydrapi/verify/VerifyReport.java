// SPDX-License-Identifier: Apache-2.0
package hydrapi.verify;

import java.util.List;

/** What {@code verify} checked, each with its outcome. */
public record VerifyReport(List<Check> checks) {

    public VerifyReport {
        checks = List.copyOf(checks);
    }

    /** One check: {@code status} is "ok", "failed" or "skipped". */
    public record Check(String name, String status, String detail) {
    }

    public boolean ok() {
        return checks.stream().noneMatch(c -> c.status().equals("failed"));
    }
}
