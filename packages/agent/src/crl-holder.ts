import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AgentCrlReport } from "@fleetgate/contract/agent";
import { crlReportOf } from "./crl-report";
import { writeFileDurable } from "./fs-atomic";
import type { Logger } from "./log";
import { endpoint } from "./proof";

const MAX_CRL_BYTES = 4 * 1024 * 1024;

/**
 * The CRL this host holds (`crl.pem` in the state directory), refreshed from the server's
 * `GET /api/v1/pki/crl.pem`. A downloaded CRL replaces the stored one only when it verifies
 * against the agent's CA certificates; a failed download keeps the stored one.
 */
export class CrlHolder {
  private last: string | null = null;

  constructor(
    private readonly server: string,
    private readonly stateDir: string,
    private readonly logger: Logger,
  ) {}

  private get file(): string {
    return path.join(this.stateDir, "crl.pem");
  }

  /** The report on the stored CRL (for the hello). */
  async report(caPem: string): Promise<AgentCrlReport> {
    const pem = await readFile(this.file, "utf8").catch(() => null);
    const report = await crlReportOf(pem, caPem);
    this.last = JSON.stringify(report);
    return report;
  }

  /** Downloads the current CRL; returns the new report when it differs from the last one sent, else null. */
  async refresh(caPem: string, timeoutMs = 30_000): Promise<AgentCrlReport | null> {
    try {
      const res = await fetch(endpoint(this.server, "/api/v1/pki/crl.pem"), {
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = res.ok ? await res.text() : "";
      if (res.ok && text.length <= MAX_CRL_BYTES && "crl_number" in (await crlReportOf(text, caPem))) {
        await writeFileDurable(this.file, text, 0o644);
      } else {
        this.logger.warn("the server's CRL was not usable; keeping the stored one", { status: res.status });
      }
    } catch (error) {
      this.logger.warn("downloading the CRL failed; keeping the stored one", { error: String(error) });
    }
    const before = this.last;
    const report = await this.report(caPem);
    return JSON.stringify(report) === before ? null : report;
  }
}
