import { describe, expect, it } from "vitest";
import { enrollHost } from "../agent-helpers";
import { adminLogin, bearer, userWithRole } from "../auth-helpers";
import { call, nativeError } from "../helpers";

async function group(): Promise<string> {
  const res = await call("/api/v1/groups", {
    method: "POST",
    headers: bearer(await adminLogin()),
    json: { name: `sec-${crypto.randomUUID().slice(0, 8)}` },
  });
  return ((await res.json()) as { id: string }).id;
}
const addMember = async (groupId: string, userId: string) =>
  call(`/api/v1/groups/${groupId}/users/${userId}`, { method: "POST", headers: bearer(await adminLogin()) });
const addHost = (hostId: string, groupId: string, auth: Record<string, string>) =>
  call(`/api/v1/hosts/${hostId}/groups`, { method: "POST", headers: auth, json: { group_id: groupId } });
const removeHost = (hostId: string, groupId: string, auth: Record<string, string>) =>
  call(`/api/v1/hosts/${hostId}/groups/${groupId}`, { method: "DELETE", headers: auth });

describe("finding 7: operators cannot rewrite the visibility ACL", () => {
  it("an operator cannot add a host to a group they are not in → 403", async () => {
    const host = await enrollHost();
    const g = await group();
    const op = await userWithRole("operator");
    const res = await addHost(host.id, g, bearer(op.session));
    expect(res.status).toBe(403);
    expect((await nativeError(res)).code).toBe("forbidden");
  });

  it("an operator cannot remove a host from a group they are not in → 403", async () => {
    const host = await enrollHost();
    const [mine, theirs] = [await group(), await group()];
    const op = await userWithRole("operator");
    await addMember(mine, op.id);
    const admin = bearer(await adminLogin());
    for (const g of [mine, theirs]) expect((await addHost(host.id, g, admin)).status).toBe(200);
    const res = await removeHost(host.id, theirs, bearer(op.session));
    expect(res.status).toBe(403);
  });

  it("a member operator may move hosts in and out of their group, but never remove a host's last group", async () => {
    const host = await enrollHost();
    const [a, b] = [await group(), await group()];
    const op = await userWithRole("operator");
    await addMember(a, op.id);
    await addMember(b, op.id);
    const auth = bearer(op.session);
    expect((await addHost(host.id, a, auth)).status).toBe(200);
    expect((await addHost(host.id, b, auth)).status).toBe(200);
    expect((await removeHost(host.id, a, auth)).status).toBe(200);
    const last = await removeHost(host.id, b, auth);
    expect(last.status).toBe(403);
    expect((await nativeError(last)).code).toBe("forbidden");
    // An admin may.
    expect((await removeHost(host.id, b, bearer(await adminLogin()))).status).toBe(200);
  });
});
