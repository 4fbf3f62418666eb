import { renewalTime } from "./cert";
import type { AgentConfig } from "./config";
import { EXIT, type ExitCode } from "./exit-codes";
import { request } from "./http";
import { endpoint } from "./proof";
import { StateDir } from "./state";
import { AGENT_VERSION } from "./version";

/** What `fleetgate-agent status` reports. Never contains key material. */
export interface StatusReport {
  version: string;
  config: string;
  server: string;
  state_dir: string;
  enrolled: boolean;
  pending_enrollment: { common_name: string; requested_at: string } | null;
  identity: {
    identity_id: string | null;
    host_id: string | null;
    host_name: string | null;
    method: string;
    enrolled_at: string;
  } | null;
  certificate: {
    subject: string;
    issuer: string;
    serial_number: string;
    not_before: string;
    not_after: string;
    renew_after: string;
    expired: boolean;
    fingerprint_sha256: string;
  } | null;
  problem: string | null;
  server_reachable: { ok: boolean; status: number | null; error: string | null };
}

/** Reads state without changing it and probes `GET {server}/health`. */
export async function collectStatus(config: AgentConfig): Promise<{ report: StatusReport; exitCode: ExitCode }> {
  const state = new StateDir(config.stateDir);
  const report: StatusReport = {
    version: AGENT_VERSION,
    config: config.source,
    server: config.server,
    state_dir: config.stateDir,
    enrolled: false,
    pending_enrollment: null,
    identity: null,
    certificate: null,
    problem: null,
    server_reachable: { ok: false, status: null, error: null },
  };
  try {
    const pending = await state.readPending();
    if (pending) {
      report.pending_enrollment = {
        common_name: pending.pending.common_name,
        requested_at: pending.pending.requested_at,
      };
    }
    const identity = await state.readIdentity();
    if (identity) {
      report.identity = {
        identity_id: identity.identity_id,
        host_id: identity.host_id ?? null,
        host_name: identity.host_name ?? null,
        method: identity.method,
        enrolled_at: identity.enrolled_at,
      };
    }
    const credentials = await state.loadCredentials();
    if (credentials) {
      const cert = credentials.cert;
      report.enrolled = true;
      report.certificate = {
        subject: cert.subject,
        issuer: cert.issuer,
        serial_number: cert.serialNumber,
        not_before: cert.notBefore.toISOString(),
        not_after: cert.notAfter.toISOString(),
        renew_after: renewalTime(cert).toISOString(),
        expired: cert.notAfter.getTime() <= Date.now(),
        fingerprint_sha256: cert.fingerprintSha256,
      };
    }
  } catch (error) {
    report.problem = (error as Error).message;
  }

  try {
    const response = await request(endpoint(config.server, "/health"), { method: "GET", timeoutMs: 5000 });
    report.server_reachable = {
      ok: response.status >= 200 && response.status < 300,
      status: response.status,
      error: null,
    };
  } catch (error) {
    report.server_reachable = { ok: false, status: null, error: (error as Error).message };
  }

  let exitCode: ExitCode = EXIT.ok;
  if (report.problem) exitCode = EXIT.failure;
  else if (!report.enrolled) exitCode = EXIT.notEnrolled;
  else if (report.certificate?.expired) exitCode = EXIT.refused;
  else if (!report.server_reachable.ok) exitCode = EXIT.unavailable;
  return { report, exitCode };
}

/** The human-readable form of a status report. */
export function formatStatus(report: StatusReport): string {
  const lines = [
    `version:            ${report.version}`,
    `config:             ${report.config}`,
    `server:             ${report.server}`,
    `state_dir:          ${report.state_dir}`,
    `enrolled:           ${report.enrolled ? "yes" : "no"}`,
  ];
  if (report.pending_enrollment) {
    lines.push(
      `pending enrollment: CN=${report.pending_enrollment.common_name} since ${report.pending_enrollment.requested_at}`,
    );
  }
  if (report.identity) {
    lines.push(`identity:           ${report.identity.identity_id ?? "-"} (${report.identity.method})`);
    lines.push(
      `host:               ${report.identity.host_name ?? "-"} ${report.identity.host_id ? `(${report.identity.host_id})` : ""}`.trimEnd(),
    );
  }
  if (report.certificate) {
    const c = report.certificate;
    lines.push(`certificate:        ${c.subject}`);
    lines.push(`  issuer:           ${c.issuer}`);
    lines.push(`  not after:        ${c.not_after}${c.expired ? " (EXPIRED)" : ""}`);
    lines.push(`  renew after:      ${c.renew_after}`);
    lines.push(`  sha256:           ${c.fingerprint_sha256}`);
  }
  if (report.problem) lines.push(`problem:            ${report.problem}`);
  const r = report.server_reachable;
  lines.push(
    `server reachable:   ${r.ok ? "yes" : "no"}${r.status !== null ? ` (HTTP ${r.status})` : ""}${r.error ? ` (${r.error})` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}
