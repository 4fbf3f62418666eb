import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/**
 * EventHub.publish on a hub of its own (not the fleet's): with no dashboard
 * socket it sends nothing (and parses nothing); with a socket the events are
 * validated and sent.
 */
const hub = () => env.EVENTS.get(env.EVENTS.idFromName(`event-hub-test-${crypto.randomUUID()}`));
/** Called inside the object (runInDurableObject): how many frames were sent, or "refused". */
const publishIn = (stub: ReturnType<typeof hub>, events: unknown) =>
  runInDurableObject(stub, async (instance): Promise<number | "refused"> => {
    try {
      return await instance.publish(events);
    } catch {
      return "refused";
    }
  });
const output = (jobId: string, seq: number) => ({
  event_type: "output" as const,
  job_id: jobId,
  host_id: "h1",
  stream: "stdout" as const,
  seq,
  data: `line ${seq}\n`,
});

async function subscribe(stub: ReturnType<typeof hub>, jobId: string): Promise<{ frames: string[]; ws: WebSocket }> {
  const res = await stub.fetch(`https://hub/?topic=${jobId}&identity=tester`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no websocket: ${res.status}`);
  ws.accept();
  const frames: string[] = [];
  ws.addEventListener("message", (e) => frames.push(String(e.data)));
  return { frames, ws };
}

describe("EventHub.publish", () => {
  it("without subscribers: sends nothing", async () => {
    const stub = hub();
    const jobId = crypto.randomUUID();
    expect(await stub.publish([output(jobId, 0), { not: "an event" }])).toBe(0);
    await expect(stub.publish(Array.from({ length: 1001 }, (_, i) => output(jobId, i)))).rejects.toThrow();
  });

  it("with a subscriber: validates the events and sends them to the job's socket", async () => {
    const stub = hub();
    const jobId = crypto.randomUUID();
    const { frames, ws } = await subscribe(stub, jobId);
    expect(await publishIn(stub, [output(jobId, 0), { not: "an event" }])).toBe("refused");
    expect(
      await publishIn(
        stub,
        Array.from({ length: 1001 }, (_, i) => output(jobId, i)),
      ),
    ).toBe("refused");
    expect(await stub.publish([output(jobId, 1)])).toBe(1);
    for (let i = 0; i < 50 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(frames.map((f) => JSON.parse(f))).toEqual([output(jobId, 1)]);
    ws.close();
  });
});
