import { env } from "cloudflare:workers";
import { EVENT_HUB_NAME } from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually } from "../agent-helpers";
import { adminLogin, bearer, userWithRole } from "../auth-helpers";
import { call } from "../helpers";
import { dashboardSocket, wsTicket } from "./sec-ws";

const hub = env.EVENTS.get(env.EVENTS.idFromName(EVENT_HUB_NAME));

describe("finding 1: a job's live stream carries only the visible hosts' events", () => {
  it("a reporter's per-job socket hears the ungrouped host, never the restricted one; the admin's hears both", async () => {
    const admin = bearer(await adminLogin());
    const [open, restricted] = await Promise.all([enrollHost(), enrollHost()]);
    const g = (await (
      await call("/api/v1/groups", {
        method: "POST",
        headers: admin,
        json: { name: `jsv-${crypto.randomUUID().slice(0, 8)}` },
      })
    ).json()) as { id: string };
    await call(`/api/v1/hosts/${restricted.id}/groups`, { method: "POST", headers: admin, json: { group_id: g.id } });
    const [a1, a2] = await Promise.all([
      connectAgent(open, { scripts: { s: () => "hang" } }),
      connectAgent(restricted, { scripts: { s: () => "hang" } }),
    ]);
    const job = (await (
      await call("/api/v1/jobs", {
        method: "POST",
        headers: admin,
        json: { kind: "script", script: "s", host_ids: [open.id, restricted.id] },
      })
    ).json()) as { id: string };
    const reporter = await userWithRole("reporter");
    const theirs = await dashboardSocket(`ticket=${await wsTicket(reporter.session)}&job=${job.id}`);
    const mine = await dashboardSocket(`ticket=${await wsTicket()}&job=${job.id}`);
    await eventually(async () => (await hub.subscribers())[job.id] === 2);
    const [r1, r2] = await Promise.all([a1.waitFor((f) => f.type === "run"), a2.waitFor((f) => f.type === "run")]);
    if (r1.type !== "run" || r2.type !== "run") throw new Error("no run");
    a1.output(r1.command_id, "stdout", 0, "open-line\n");
    a2.output(r2.command_id, "stdout", 0, "SECRET-line\n");
    a1.finish(r1.command_id, { exit_code: 0, stdout: "open-line\n" });
    a2.finish(r2.command_id, { exit_code: 0, stdout: "SECRET-line\n" });
    const finished = (frames: Record<string, unknown>[]) =>
      frames.some((f) => f.event_type === "job" && f.status === "succeeded");
    await eventually(async () => finished(mine.frames) && finished(theirs.frames));
    expect(mine.frames.some((f) => f.host_id === restricted.id && f.data === "SECRET-line\n")).toBe(true);
    expect(theirs.frames.some((f) => f.host_id === open.id && f.data === "open-line\n")).toBe(true);
    expect(theirs.frames.filter((f) => f.host_id === restricted.id)).toEqual([]);
    expect(JSON.stringify(theirs.frames)).not.toContain("SECRET");
    theirs.ws.close();
    mine.ws.close();
    a1.close();
    a2.close();
  }, 60_000);
});
