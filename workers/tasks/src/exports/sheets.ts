import type { AuditQuery, CertificateFilters, HostFilters } from "@fleetgate/contract";
import {
  type DomainContext,
  iterateCertificates,
  iterateHosts,
  iterateJobsWithHosts,
  listAudit,
  type Visibility,
} from "@fleetgate/domain";
import type { z } from "zod";

export type Cell = string | number | boolean | null;

/** A table to export: a title (the XLSX sheet name), column headers, and rows page by page. */
export interface Sheet {
  title: string;
  columns: readonly string[];
  pages: AsyncIterable<Cell[][]>;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
/** Job output is capped per cell; the full output stays in the job detail. */
const OUTPUT_CHARS = 32_000;
const clip = (s: string) => (s.length > OUTPUT_CHARS ? `${s.slice(0, OUTPUT_CHARS)}…[truncated]` : s);

async function* mapPages<T>(pages: AsyncIterable<T[]>, row: (t: T) => Cell[]): AsyncGenerator<Cell[][]> {
  for await (const page of pages) yield page.map(row);
}

/** The inventory: the host list's columns, filtered and sorted as the list is. */
export function hostsSheet(ctx: DomainContext, filters: HostFilters, v: Visibility): Sheet {
  return {
    title: "Inventory",
    columns: [
      "id",
      "name",
      "fqdn",
      "ip_address",
      "display_name",
      "os_family",
      "os_name",
      "arch",
      "agent_version",
      "health_status",
      "online",
      "last_seen_at",
      "patches_missing",
      "groups",
      "registered_at",
    ],
    pages: mapPages(iterateHosts(ctx, filters, v), (h) => [
      h.id,
      h.name,
      h.fqdn,
      h.ipAddress,
      h.displayName,
      h.osFamily,
      h.osName,
      h.arch,
      h.agentVersion,
      h.healthStatus,
      h.online,
      iso(h.lastSeenAt),
      h.patchesMissing,
      h.groups,
      iso(h.registeredAt),
    ]),
  };
}

/** Jobs with their per-host results: one row per (job, target host); a job without targets has one row. */
export function jobsSheet(ctx: DomainContext, v: Visibility): Sheet {
  async function* pages(): AsyncGenerator<Cell[][]> {
    for await (const page of iterateJobsWithHosts(ctx, v)) {
      const rows: Cell[][] = [];
      for (const { job, hosts } of page) {
        const jobCells: Cell[] = [
          job.id,
          job.reqid,
          job.kind,
          job.status,
          job.script,
          job.createdBy,
          iso(job.createdAt),
          iso(job.startedAt),
          iso(job.completedAt),
          job.notes,
        ];
        if (hosts.length === 0) rows.push([...jobCells, null, null, null, null, null, null, null, null, null]);
        for (const h of hosts) {
          rows.push([
            ...jobCells,
            h.hostId,
            h.hostName,
            h.status,
            h.exitCode,
            iso(h.startedAt),
            iso(h.completedAt),
            h.error,
            clip(h.stdout),
            clip(h.stderr),
          ]);
        }
      }
      yield rows;
    }
  }
  return {
    title: "Jobs",
    columns: [
      "job_id",
      "reqid",
      "kind",
      "job_status",
      "script",
      "created_by",
      "created_at",
      "started_at",
      "completed_at",
      "notes",
      "host_id",
      "host_name",
      "host_status",
      "exit_code",
      "host_started_at",
      "host_completed_at",
      "error",
      "stdout",
      "stderr",
    ],
    pages: pages(),
  };
}

export function certificatesSheet(ctx: DomainContext, filters: CertificateFilters, v: Visibility): Sheet {
  return {
    title: "Certificates",
    columns: [
      "id",
      "host_id",
      "serial_number",
      "common_name",
      "status",
      "issued_at",
      "expires_at",
      "revoked_at",
      "revocation_reason",
      "fingerprint_sha256",
    ],
    pages: mapPages(iterateCertificates(ctx, filters, v), (c) => [
      c.id,
      c.hostId,
      c.serialNumber,
      c.commonName,
      c.status,
      iso(c.issuedAt),
      iso(c.expiresAt),
      iso(c.revokedAt),
      c.revocationReason,
      c.fingerprintSha256,
    ]),
  };
}

type AuditFilters = Omit<z.infer<typeof AuditQuery>, "cursor" | "limit">;

/** The audit log, newest first, with the audit list's filters (admins only). */
export function auditSheet(ctx: DomainContext, f: AuditFilters): Sheet {
  async function* pages(): AsyncGenerator<Cell[][]> {
    let cursor: number | undefined;
    for (;;) {
      const page = await listAudit(ctx, {
        actor: f.actor,
        action: f.action,
        target: f.target,
        from: f.from ? Date.parse(f.from) : undefined,
        to: f.to ? Date.parse(f.to) : undefined,
        cursor,
        limit: 500,
      });
      yield page.entries.map((e) => [
        e.seq,
        e.id,
        iso(e.at),
        e.actorId,
        e.actorName,
        e.credentialId,
        e.action,
        e.targetType,
        e.targetId,
        e.outcome,
        e.sourceIp,
        e.requestId,
        JSON.stringify(e.detail),
        e.prevHash,
        e.hash,
      ]);
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
  }
  return {
    title: "Audit",
    columns: [
      "seq",
      "id",
      "at",
      "actor_id",
      "actor_name",
      "credential_id",
      "action",
      "target_type",
      "target_id",
      "outcome",
      "source_ip",
      "request_id",
      "detail",
      "prev_hash",
      "hash",
    ],
    pages: pages(),
  };
}
