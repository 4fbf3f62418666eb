import { and, asc, eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { Role } from "../principal";
import { identities } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { closeLiveSockets } from "./session-revocation";
import type { IdentityRow } from "./users.service";

export interface ServiceAccountView {
  id: string;
  name: string;
  description: string;
  role: Role;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

const view = (r: IdentityRow): ServiceAccountView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  role: r.role,
  isActive: !r.disabled,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export async function listServiceAccounts(ctx: DomainContext): Promise<ServiceAccountView[]> {
  const rows = await ctx.db
    .select()
    .from(identities)
    .where(eq(identities.kind, "service"))
    .orderBy(asc(identities.name))
    .all();
  return rows.map(view);
}

export async function getServiceAccount(ctx: DomainContext, id: string): Promise<IdentityRow> {
  const row = await ctx.db
    .select()
    .from(identities)
    .where(and(eq(identities.id, id), eq(identities.kind, "service")))
    .get();
  if (!row) throw new DomainError("common.not_found", "Service account not found");
  return row;
}

/** A CI/service identity: no password, authenticates only with `ztls_` tokens. */
export async function createServiceAccount(
  ctx: DomainContext,
  input: { name: string; description?: string; role?: Role },
): Promise<ServiceAccountView> {
  const now = ctx.now();
  const row: IdentityRow = {
    id: newId(),
    kind: "service",
    name: input.name,
    displayName: input.name,
    email: null,
    description: input.description ?? "",
    role: input.role ?? "operator",
    authProvider: "local",
    disabled: false,
    disabledAt: null,
    forcePasswordReset: false,
    failedLogins: 0,
    lockedUntil: null,
    sessionsValidAfter: 0,
    isDefaultAdmin: false,
    externalId: null,
    roleAttributes: [],
    tags: {},
    envInfo: null,
    sdkInfo: null,
    lastLoginAt: null,
    createdBy: ctx.actor?.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await commitAudited(ctx, [ctx.db.insert(identities).values(row)], {
      action: "service_account.create",
      targetType: "service_account",
      targetId: row.id,
      detail: { name: row.name, role: row.role },
    });
  } catch (err) {
    if (/UNIQUE constraint failed/i.test(String(err)))
      throw new DomainError("common.conflict", "Service account name already exists");
    throw err;
  }
  return view(row);
}

export async function deleteServiceAccount(ctx: DomainContext, id: string): Promise<void> {
  const row = await getServiceAccount(ctx, id);
  await commitAudited(ctx, [ctx.db.delete(identities).where(eq(identities.id, id))], {
    action: "service_account.delete",
    targetType: "service_account",
    targetId: id,
    detail: { name: row.name },
  });
  await closeLiveSockets(ctx, { identityId: id }, "service account deleted");
}
