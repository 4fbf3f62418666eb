import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { channelStub, connectAgent, enrollHost, eventually } from "../agent-helpers";
import { adminLogin, bearer } from "../auth-helpers";
import { call } from "../helpers";

const activeCert = async (hostId: string) =>
  (
    await env.DB.prepare("SELECT id FROM certificates WHERE host_id = ? AND status = 'active' AND kind = 'client'")
      .bind(hostId)
      .first<{ id: string }>()
  )?.id ?? "";

describe("finding 3: the end of a host certificate ends the agent's connection", () => {
  it("revoking the certificate closes the agent's socket", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    const res = await call(`/api/v1/certificates/${await activeCert(host.id)}`, {
      method: "DELETE",
      headers: bearer(await adminLogin()),
    });
    expect(res.status).toBeLessThan(300);
    await eventually(async () => agent.closed);
    expect((await channelStub(host.id).status()).online).toBe(false);
  });

  it("reissuing the host's certificates closes the agent's socket", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    const res = await call(`/api/v1/hosts/${host.id}/certificates/reissue`, {
      method: "POST",
      headers: bearer(await adminLogin()),
      json: {},
    });
    expect(res.status).toBeLessThan(300);
    await eventually(async () => agent.closed);
  });

  it("a certificate revoked behind the channel's back: no run frame is sent, the socket is closed", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { x: () => ({ exit_code: 0 }) } });
    await env.DB.prepare("UPDATE certificates SET status = 'revoked', revoked_at = ? WHERE id = ?")
      .bind(Date.now(), await activeCert(host.id))
      .run();
    await call("/api/v1/jobs", {
      method: "POST",
      headers: bearer(await adminLogin()),
      json: { kind: "script", script: "x", host_ids: [host.id] },
    });
    await eventually(async () => agent.closed);
    expect(agent.frames.some((f) => f.type === "run")).toBe(false);
  });

  it("a command handed over with its wave's certificate list: sent only when the socket's certificate is in it", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { x: () => ({ exit_code: 0 }) } });
    const cmd = (valid: string[]) => ({
      command_id: crypto.randomUUID(),
      job_id: crypto.randomUUID(),
      host_id: host.id,
      reqid: Date.now().toString(16),
      script: "x",
      args: [],
      timeout_seconds: 30,
      expires_at: Date.now() + 60_000,
      valid_cert_ids: valid,
    });
    expect(await channelStub(host.id).enqueue(cmd([await activeCert(host.id)]))).toBe("sent");
    await eventually(async () => agent.frames.some((f) => f.type === "run"));
    // D1 still says active, but the JobRun's read (a moment ago) did not list it: nothing is sent.
    const before = agent.frames.filter((f) => f.type === "run").length;
    expect(await channelStub(host.id).enqueue(cmd([]))).toBe("queued");
    await eventually(async () => agent.closed);
    expect(agent.frames.filter((f) => f.type === "run")).toHaveLength(before);
  });

  it("a command without the list (a direct RPC): the channel reads D1 itself", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { x: () => ({ exit_code: 0 }) } });
    await env.DB.prepare("UPDATE certificates SET status = 'revoked', revoked_at = ? WHERE id = ?")
      .bind(Date.now(), await activeCert(host.id))
      .run();
    const outcome = await channelStub(host.id).enqueue({
      command_id: crypto.randomUUID(),
      job_id: crypto.randomUUID(),
      host_id: host.id,
      reqid: Date.now().toString(16),
      script: "x",
      args: [],
      timeout_seconds: 30,
      expires_at: Date.now() + 60_000,
    });
    expect(outcome).toBe("queued");
    await eventually(async () => agent.closed);
    expect(agent.frames.some((f) => f.type === "run")).toBe(false);
  });

  it("a certificate revoked behind the channel's back before hello: queued commands are not redelivered", async () => {
    const host = await enrollHost();
    const queued = await channelStub(host.id).enqueue({
      command_id: crypto.randomUUID(),
      job_id: crypto.randomUUID(),
      host_id: host.id,
      reqid: Date.now().toString(16),
      script: "x",
      args: [],
      timeout_seconds: 30,
      expires_at: Date.now() + 60_000,
    });
    expect(queued).toBe("queued");
    const agent = await connectAgent(host, { hello: false, scripts: { x: () => ({ exit_code: 0 }) } });
    await env.DB.prepare("UPDATE certificates SET status = 'revoked', revoked_at = ? WHERE id = ?")
      .bind(Date.now(), await activeCert(host.id))
      .run();
    agent.hello();
    await eventually(async () => agent.closed);
    expect(agent.frames.some((f) => f.type === "run")).toBe(false);
  });

  it("at the certificate's notAfter the channel's alarm closes the socket", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    await env.DB.prepare("UPDATE certificates SET not_after = ? WHERE id = ?")
      .bind(Date.now() - 1000, await activeCert(host.id))
      .run();
    await runDurableObjectAlarm(channelStub(host.id));
    await eventually(async () => agent.closed);
  });
});
