import type { ZitiInput, ZitiKind } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";

/** Renders an entity's timestamps as RFC 3339, as the Ziti management API does. */
function entity(row: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...row };
  if (typeof out.lastHeartbeatAt === "number") out.lastHeartbeatAt = new Date(out.lastHeartbeatAt).toISOString();
  return {
    ...out,
    id: String(row.id),
    createdAt: new Date(Number(row.createdAt)).toISOString(),
    updatedAt: new Date(Number(row.updatedAt)).toISOString(),
  };
}

export const listKind = async (c: Context<AppEnv>, kind: ZitiKind) =>
  c.json((await svc.listZiti(await domain(c), kind)).map(entity), 200);

export const getKind = async (c: Context<AppEnv>, kind: ZitiKind, id: string) =>
  c.json(entity(await svc.getZiti(await domain(c), kind, id)), 200);

export async function createKind<K extends ZitiKind>(c: Context<AppEnv>, kind: K, input: ZitiInput<K>) {
  const id = await svc.createZiti(await domain(c), kind, input);
  return c.json({ id, message: "Created" }, 201);
}

export async function updateKind<K extends ZitiKind>(c: Context<AppEnv>, kind: K, id: string, input: ZitiInput<K>) {
  await svc.updateZiti(await domain(c), kind, id, input);
  return c.json({ message: "Updated" }, 200);
}

export async function removeKind(c: Context<AppEnv>, kind: ZitiKind, id: string) {
  await svc.deleteZiti(await domain(c), kind, id);
  return c.json({ message: "Deleted" }, 200);
}

export async function roleAttributes(c: Context<AppEnv>, id: string, attrs: string[]) {
  await svc.setIdentityRoleAttributes(await domain(c), id, attrs);
  return c.json({ message: "Role attributes updated" }, 200);
}

export async function authPolicy(c: Context<AppEnv>, id: string, authPolicyId: string | null) {
  await svc.setIdentityAuthPolicy(await domain(c), id, authPolicyId);
  return c.json({ message: "Auth policy updated" }, 200);
}
