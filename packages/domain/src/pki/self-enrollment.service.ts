import { decrypt, encrypt, newPollingToken, sha256Hex } from "@fleetgate/auth";
import { and, desc, eq, gt, lte, ne, or, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { HOST_NAME, newHostRows } from "../fleet/host-records";
import { notifySafely } from "../notify/notify.service";
import { type RepoConfig, repoConfigFor } from "../repo/repo-config";
import { repoDistroOf } from "../repo/repo-distro";
import { enrollmentRequests, hosts, identities } from "../schema";
import { addressKey } from "../shared/address-key";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { networkKey } from "../shared/network-key";
import { hit } from "../shared/rate-limit";
import { caBundlePem, caChain } from "./ca.service";
import { issueWithServerKey, prepareIssue, validateCsr } from "./certificates.service";
import { currentCrl } from "./crl.service";

/** Requests expire after 24 h; an approved bundle can be fetched once, within 600 s (linux-patch-manager.md §5). */
export const REQUEST_TTL_MS = 24 * 3600_000;
export const BUNDLE_TTL_MS = 600_000;
const BUNDLE_AAD = "enrollment-bundle";
/** At most this many live pending requests per source network (IPv4 /24, IPv6 /64); more → 429. */
export const MAX_PENDING_PER_NETWORK = 20;

export type EnrollmentRequestRow = typeof enrollmentRequests.$inferSelect;

export interface EnrollmentRequestInput {
  machineId: string;
  fqdn: string;
  ipAddress: string;
  osDetails: Record<string, unknown>;
  hostname?: string;
  csr?: string;
}

/** The host's registry name: its hostname, else the first label of its fqdn. */
const registryName = (r: { hostname: string | null; fqdn: string }) => r.hostname || r.fqdn;

/**
 * `POST /enroll` (public): files a request for an admin to approve. With a CSR
 * (preferred) the host's key never leaves it; the CSR is validated now so a bad
 * one is refused at once. Returns the polling token (only its hash is stored).
 */
export async function submitEnrollmentRequest(ctx: DomainContext, input: EnrollmentRequestInput): Promise<string> {
  await hit(ctx, `enroll:ip:${addressKey(ctx.sourceIp)}`, 5, 60);
  const name = registryName({ hostname: input.hostname ?? null, fqdn: input.fqdn });
  if (!HOST_NAME.test(name))
    throw new DomainError("common.validation", "hostname: letters, digits, '.', '-' and '_' only");
  if (input.csr) await validateCsr(input.csr, [name, input.fqdn]);
  const registered = await ctx.db
    .select({ id: hosts.id })
    .from(hosts)
    .where(eq(hosts.machineId, input.machineId))
    .get();
  if (registered) throw new DomainError("common.conflict", "Host already registered");
  const now = ctx.now();
  const network = networkKey(ctx.sourceIp);
  await capPendingPerNetwork(ctx, network, input.machineId, now);
  const token = newPollingToken();
  const id = newId();
  await commitAudited(
    ctx,
    [
      // A newer request from the same machine replaces its pending one.
      ctx.db
        .delete(enrollmentRequests)
        .where(and(eq(enrollmentRequests.machineId, input.machineId), eq(enrollmentRequests.status, "pending"))),
      ctx.db.insert(enrollmentRequests).values({
        id,
        machineId: input.machineId,
        fqdn: input.fqdn,
        ipAddress: input.ipAddress,
        hostname: input.hostname ?? null,
        osDetails: input.osDetails,
        csrPem: input.csr ?? null,
        pollingTokenHash: await sha256Hex(token),
        status: "pending",
        expiresAt: now + REQUEST_TTL_MS,
        createdAt: now,
        updatedAt: now,
        sourceNetwork: network,
      }),
    ],
    {
      action: "enrollment_request.submit",
      targetType: "enrollment_request",
      targetId: id,
      detail: { fqdn: input.fqdn, csr: Boolean(input.csr) },
    },
  );
  await notifySafely(
    ctx,
    {
      type: "enrollment_pending",
      request_id: id,
      hostname: input.hostname ?? "",
      fqdn: input.fqdn,
      ip_address: input.ipAddress,
    },
    { dedupe: `enroll:${input.machineId}`, windowMs: 3600_000 },
  );
  return token;
}

/**
 * Refuses a new request (429) while its source network already has MAX_PENDING_PER_NETWORK live pending
 * ones; the machine's own pending request does not count (a newer request replaces it). Retry-After: until
 * the oldest of them expires. Checked before the insert, so concurrent submits may overshoot by a few; the
 * 5/min per-address limit bounds that.
 */
async function capPendingPerNetwork(ctx: DomainContext, network: string, machineId: string, now: number) {
  const live = and(
    eq(enrollmentRequests.sourceNetwork, network),
    eq(enrollmentRequests.status, "pending"),
    gt(enrollmentRequests.expiresAt, now),
    ne(enrollmentRequests.machineId, machineId),
  );
  const row = await ctx.db
    .select({ n: sql<number>`count(*)`, oldest: sql<number | null>`min(${enrollmentRequests.expiresAt})` })
    .from(enrollmentRequests)
    .where(live)
    .get();
  if ((row?.n ?? 0) < MAX_PENDING_PER_NETWORK) return;
  throw new DomainError("common.rate_limited", {
    details: { retryAfter: Math.max(1, Math.ceil(((row?.oldest ?? now) - now) / 1000)) },
    reason: `pending self-enrollments per network ${network}`,
  });
}

export type PollResult =
  | { status: "pending" | "denied" | "notfound" }
  | { status: "approved"; bundle: Record<string, string>; repoConfig?: RepoConfig };

/**
 * `GET /enroll/status/{token}`: the approved bundle is handed out once (atomic claim) and only within 600 s.
 * With it, `repo_config` (linux-patch-manager.md §5) for the distribution the host reported in its
 * `os_details`, when the package repository serves that distribution and has its signing key; absent
 * otherwise (the reference's field is optional). `repoBaseUrl` is the public URL of this deployment.
 */
export async function pollEnrollment(ctx: DomainContext, token: string, repoBaseUrl?: string): Promise<PollResult> {
  if (!/^[A-Za-z0-9]{64}$/.test(token)) return { status: "notfound" };
  const row = await ctx.db
    .select()
    .from(enrollmentRequests)
    .where(eq(enrollmentRequests.pollingTokenHash, await sha256Hex(token)))
    .get();
  const now = ctx.now();
  if (!row) return { status: "notfound" };
  if (row.status === "pending") return row.expiresAt > now ? { status: "pending" } : { status: "notfound" };
  if (row.status === "denied") return { status: "denied" };
  if (row.status !== "approved" || !row.bundleEnc || (row.bundleExpiresAt ?? 0) <= now) return { status: "notfound" };
  const claimed = await ctx.db
    .update(enrollmentRequests)
    .set({ status: "retrieved", bundleEnc: null, updatedAt: now })
    .where(
      and(
        eq(enrollmentRequests.id, row.id),
        eq(enrollmentRequests.status, "approved"),
        gt(enrollmentRequests.bundleExpiresAt, now),
      ),
    )
    .run();
  if (claimed.meta.changes !== 1) return { status: "notfound" };
  const plain = await decrypt(ctx.keys.data, row.bundleEnc, `${BUNDLE_AAD}:${row.id}`);
  if (!plain) return { status: "notfound" };
  const bundle = JSON.parse(plain) as Record<string, string>;
  const distro = repoDistroOf(row.osDetails);
  const repo = distro && repoBaseUrl !== undefined ? await repoConfigFor(ctx, distro, repoBaseUrl) : undefined;
  return typeof repo === "object" ? { status: "approved", bundle, repoConfig: repo } : { status: "approved", bundle };
}

/** One page of the live pending requests, newest first (id breaks ties so pages do not overlap). */
export async function listPendingRequests(
  ctx: DomainContext,
  page: { limit: number; offset: number },
): Promise<EnrollmentRequestRow[]> {
  return ctx.db
    .select()
    .from(enrollmentRequests)
    .where(and(eq(enrollmentRequests.status, "pending"), gt(enrollmentRequests.expiresAt, ctx.now())))
    .orderBy(desc(enrollmentRequests.createdAt), desc(enrollmentRequests.id))
    .limit(page.limit)
    .offset(page.offset)
    .all();
}

async function pendingRequest(ctx: DomainContext, id: string): Promise<EnrollmentRequestRow> {
  const row = await ctx.db
    .select()
    .from(enrollmentRequests)
    .where(
      and(
        eq(enrollmentRequests.id, id),
        eq(enrollmentRequests.status, "pending"),
        gt(enrollmentRequests.expiresAt, ctx.now()),
      ),
    )
    .get();
  if (!row) throw new DomainError("pki.enrollment_request_not_found");
  return row;
}

/**
 * Approves a request: creates the host (id = request id) and its identity,
 * issues its certificate (from the CSR, or with a server-made key for older
 * agents), and parks the bundle encrypted for one retrieval within 600 s.
 */
export async function approveEnrollmentRequest(ctx: DomainContext, id: string): Promise<void> {
  const req = await pendingRequest(ctx, id);
  const name = registryName(req);
  const collision = await ctx.db
    .select()
    .from(hosts)
    .where(
      or(
        eq(hosts.fqdn, req.fqdn),
        req.ipAddress ? eq(hosts.ipAddress, req.ipAddress) : eq(hosts.name, name),
        eq(hosts.name, name),
      ),
    )
    .get();
  if (collision) {
    const { id: hostId, fqdn, ipAddress, displayName } = collision;
    throw new DomainError("fleet.host_collision", {
      details: { existing: { id: hostId, fqdn, ipAddress, displayName } },
    });
  }
  const nameTaken = await ctx.db
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.kind, "host"), eq(identities.name, name)))
    .get();
  if (nameTaken) throw new DomainError("common.conflict", "FQDN or IP already exists");
  const issueReq = {
    identityId: id,
    commonName: name,
    kind: req.csrPem ? ("client" as const) : ("server" as const),
    hostId: id,
    lifetimeSeconds: ctx.pki.hostCertSeconds,
    allowedNames: [name, req.fqdn],
    authenticator: true,
  };
  let issued: { row: { id: string; serial: string; certPem: string }; statements: Parameters<typeof commitAudited>[1] };
  let keyPem: string | undefined;
  if (req.csrPem) {
    try {
      const csr = await validateCsr(req.csrPem, issueReq.allowedNames);
      issued = await prepareIssue(ctx, issueReq, csr.publicKey);
    } catch (err) {
      if (err instanceof DomainError && err.is("pki.csr_refused")) {
        throw new DomainError("common.validation", `csr: ${err.details.reason}`);
      }
      throw err;
    }
  } else {
    const res = await issueWithServerKey(ctx, issueReq);
    issued = res;
    keyPem = res.keyPem;
  }
  const chain = await caChain(ctx);
  const bundle: Record<string, string> = {
    ca_crt: chain.root.certPem,
    ca_chain: await caBundlePem(ctx),
    crl_pem: await currentCrl(ctx),
  };
  if (keyPem) {
    bundle.server_crt = issued.row.certPem;
    bundle.server_key = keyPem;
  } else {
    bundle.client_crt = issued.row.certPem;
  }
  const now = ctx.now();
  const statements = typeof issued.statements === "function" ? issued.statements() : issued.statements;
  await commitAudited(
    ctx,
    [
      ...newHostRows(ctx, {
        id,
        name,
        fqdn: req.fqdn,
        ipAddress: req.ipAddress,
        machineId: req.machineId,
        osName: String(req.osDetails.name ?? req.osDetails.os ?? ""),
      }),
      ...statements,
      ctx.db
        .update(enrollmentRequests)
        .set({
          status: "approved",
          bundleEnc: await encrypt(ctx.keys.data, JSON.stringify(bundle), `${BUNDLE_AAD}:${id}`),
          bundleExpiresAt: now + BUNDLE_TTL_MS,
          decidedBy: ctx.actor?.id ?? null,
          decidedAt: now,
          updatedAt: now,
        })
        .where(eq(enrollmentRequests.id, id)),
    ],
    {
      action: "enrollment_request.approve",
      targetType: "host",
      targetId: id,
      detail: { name, serial: issued.row.serial, csr: Boolean(req.csrPem) },
    },
  );
}

export async function denyEnrollmentRequest(ctx: DomainContext, id: string): Promise<void> {
  await pendingRequest(ctx, id);
  const now = ctx.now();
  await commitAudited(
    ctx,
    [
      ctx.db
        .update(enrollmentRequests)
        .set({ status: "denied", decidedBy: ctx.actor?.id ?? null, decidedAt: now, updatedAt: now })
        .where(eq(enrollmentRequests.id, id)),
    ],
    { action: "enrollment_request.deny", targetType: "enrollment_request", targetId: id },
  );
}

/** Cron: forget requests past their 24 h and denied/retrieved ones after a day. */
export async function pruneEnrollmentRequests(ctx: DomainContext): Promise<void> {
  await ctx.db
    .delete(enrollmentRequests)
    .where(lte(enrollmentRequests.expiresAt, ctx.now() - REQUEST_TTL_MS))
    .run();
}
