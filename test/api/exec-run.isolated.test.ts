import { describe, expect, it, vi } from "vitest";
import {
  adminToken,
  connectAgent,
  echo,
  enrollHost,
  eventually,
  execPost,
  type Script,
  tokenFor,
} from "./agent-helpers";
import { userWithRole } from "./auth-helpers";
import { call } from "./helpers";

const bad = (detail: string) => ({ ok: false, error: "bad request", detail });

describe("POST /run: parse and validate (before auth)", () => {
  const cases: [string, string, string][] = [
    ["an empty body", "", "request body required"],
    ["a body that is not JSON", "hosts=a", "invalid JSON body"],
    ["a JSON array", "[1,2]", "invalid JSON body"],
    ["a JSON string", '"x"', "invalid JSON body"],
    ["no hosts", "{}", "hosts must be a non-empty array"],
    ["empty hosts", '{"hosts":[]}', "hosts must be a non-empty array"],
    ["hosts not an array", '{"hosts":"web-01"}', "hosts must be a non-empty array"],
    ["a host that is not a string", '{"hosts":[7]}', "hosts must be a non-empty array"],
    ["no script", '{"hosts":["a"]}', "script name required (alphanumeric and hyphens only)"],
    ["a script with a space", '{"hosts":["a"],"script":"a b"}', "script name required (alphanumeric and hyphens only)"],
    ["a script path", '{"hosts":["a"],"script":"../bin/sh"}', "script name required (alphanumeric and hyphens only)"],
    [
      'the script "0" (false in Perl)',
      '{"hosts":["a"],"script":"0"}',
      "script name required (alphanumeric and hyphens only)",
    ],
    ["args not an array", '{"hosts":["a"],"script":"s","args":"x"}', "args must be an array"],
    ["args with a number", '{"hosts":["a"],"script":"s","args":["x",1]}', "args must be an array of strings"],
    ["args with an object", '{"hosts":["a"],"script":"s","args":[{"a":1}]}', "args must be an array of strings"],
    ["args with null", '{"hosts":["a"],"script":"s","args":[null]}', "args must be an array of strings"],
  ];
  for (const [label, body, detail] of cases) {
    it(`${label} → 400 "${detail}"`, async () => {
      const res = await execPost("/run", body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(bad(detail));
    });
  }

  it("more than 500 hosts → 400 too many hosts (max 500)", async () => {
    const hosts = Array.from({ length: 501 }, (_, i) => `h${i}`);
    const res = await execPost("/run", { hosts, script: "s" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(bad("too many hosts (max 500)"));
  });

  it("more than 256 args → 400", async () => {
    const res = await execPost("/run", { hosts: ["a"], script: "s", args: Array(257).fill("x") });
    expect(await res.json()).toEqual(bad("too many args (max 256)"));
  });

  it("an argument over 4096 characters → 400; type errors come before the count, the count before the length", async () => {
    const tooLong = await execPost("/run", { hosts: ["a"], script: "s", args: ["x".repeat(4097)] });
    expect(await tooLong.json()).toEqual(bad("argument too long (max 4096 characters)"));
    const manyNumbers = await execPost("/run", { hosts: ["a"], script: "s", args: Array(300).fill(1) });
    expect(await manyNumbers.json()).toEqual(bad("args must be an array of strings"));
    const manyLong = await execPost("/run", {
      hosts: ["a"],
      script: "s",
      args: [...Array(256).fill("x"), "x".repeat(4097)],
    });
    expect(await manyLong.json()).toEqual(bad("too many args (max 256)"));
    const badHostsAndScript = await execPost("/run", { hosts: [""], script: "a b", args: "x" });
    expect(await badHostsAndScript.json()).toEqual(bad("hosts must be a non-empty array"));
    const longScript = await execPost("/run", { hosts: ["a"], script: "s".repeat(101) });
    expect(await longScript.json()).toEqual(bad("script name required (alphanumeric and hyphens only)"));
  });

  it("a body over 1 MiB → 413 payload too large", async () => {
    const res = await execPost("/run", { hosts: ["a"], script: "s", args: ["x".repeat(1_100_000)] });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ok: false, error: "payload too large", detail: "body exceeds 1048576 bytes" });
  });

  it("null username/token (as ctrl-exec-cli sends them when unset) are just absent credentials", async () => {
    const res = await execPost("/run", { hosts: ["a"], script: "s", username: null, token: null });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ ok: false, error: "denied", code: 1 });
  });
});

describe("POST /run: auth (403 error/code pairs)", () => {
  it("no token → denied / 1", async () => {
    const res = await execPost("/run", { hosts: ["nope"], script: "s" });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ ok: false, error: "denied", code: 1 });
  });

  it("an unknown token → bad credentials / 2 (before the registry is consulted)", async () => {
    const res = await execPost("/run", {
      hosts: ["nope"],
      script: "s",
      token: "ztlu_0xtePqPLfggHUaAi6NkDVuakz4jtQZ2ObLY4",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ ok: false, error: "bad credentials", code: 2 });
  });

  it("a reporter's token → insufficient privilege / 3", async () => {
    const u = await userWithRole("reporter");
    const res = await execPost("/run", { hosts: ["nope"], script: "s", token: await tokenFor(u.session) });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ ok: false, error: "insufficient privilege", code: 3 });
  });

  it("an operator's token may run (then the registry answers)", async () => {
    const u = await userWithRole("operator");
    const res = await execPost("/run", { hosts: ["nope-op"], script: "s", token: await tokenFor(u.session) });
    expect(res.status).toBe(404);
  });

  it("an access JWT works as the token too", async () => {
    const u = await userWithRole("operator");
    const res = await execPost("/run", { hosts: ["nope-jwt"], script: "s", token: u.session.access });
    expect(res.status).toBe(404);
  });
});

describe("POST /run: registry and lock", () => {
  it("unknown hosts → 404 unknown agent, listing them", async () => {
    const host = await enrollHost();
    const res = await execPost("/run", {
      hosts: [host.name, "nope-1", "nope-2:7443"],
      script: "echo",
      token: await adminToken(),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      ok: false,
      error: "unknown agent",
      detail: "not a registered agent: nope-1, nope-2",
    });
  });

  it("the same script already running on a host → 409 locked (checked before the registry)", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const token = await adminToken();
    const first = await execPost("/run", { hosts: [host.name], script: "slow", token, async: true });
    expect(first.status).toBe(202);
    const res = await execPost("/run", { hosts: [host.name, "nope-9"], script: "slow", token });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ ok: false, error: "locked", code: 4, conflicts: [`${host.name}:slow`] });
    // Another script on the same host is not locked.
    const other = await execPost("/run", { hosts: [host.name], script: "other", token, async: true });
    expect(other.status).toBe(202);
    agent.close();
  });
  it("of concurrent runs of one script on one host exactly one is accepted, the others get 409 locked", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const token = await adminToken();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => execPost("/run", { hosts: [host.name], script: "slow", token, async: true })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(await r.json()).toEqual({ ok: false, error: "locked", code: 4, conflicts: [`${host.name}:slow`] });
    }
    agent.close();
  });
});

describe("POST /run (sync)", () => {
  it("runs on every host and answers exit, stdout, stderr, rtt and the reqid", async () => {
    const [h1, h2] = await Promise.all([enrollHost(), enrollHost()]);
    const fail: Script = () => ({ exit_code: 3, stdout: "partial\n", stderr: "disk full\n" });
    const a1 = await connectAgent(h1, { scripts: { job: echo } });
    const a2 = await connectAgent(h2, { scripts: { job: fail } });
    const spy = vi.spyOn(console, "log");
    const res = await execPost("/run", {
      hosts: [h1.name, h2.name],
      script: "job",
      args: ["one"],
      token: await adminToken(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; reqid: string; results: Record<string, unknown>[] };
    expect(body.reqid).toMatch(/^[0-9a-f]{16}$/);
    expect(body.results).toEqual([
      {
        host: h1.name,
        script: "job",
        exit: 0,
        stdout: "one\n",
        stderr: "",
        rtt: expect.stringMatching(/^\d+ms$/),
        reqid: body.reqid,
      },
      {
        host: h2.name,
        script: "job",
        exit: 3,
        stdout: "partial\n",
        stderr: "disk full\n",
        rtt: expect.stringMatching(/^\d+ms$/),
        reqid: body.reqid,
      },
    ]);
    // The reqid is in the control plane's log line for the run.
    expect(spy.mock.calls.some((c) => String(c[0]).includes(`REQID=${body.reqid}`))).toBe(true);
    spy.mockRestore();
    // The agent received the same reqid.
    expect(a1.runs[0]?.reqid).toBe(body.reqid);
    a1.close();
    a2.close();
  });

  it("shell metacharacters reach the script as literal argv", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const args = ["; rm -rf /", "$(id)", "`whoami`", "a b", "'quoted'", '"dq"', "x\ny", "|&>"];
    const res = await execPost("/run", { hosts: [host.name], script: "echo", args, token: await adminToken() });
    const body = (await res.json()) as { results: { stdout: string }[] };
    expect(agent.runs[0]?.args).toEqual(args);
    expect(body.results[0]?.stdout).toBe(args.map((a) => `${a}\n`).join(""));
    agent.close();
  });

  it("an offline host answers exit -1, error host offline, at once", async () => {
    const [up, down] = await Promise.all([enrollHost(), enrollHost()]);
    const agent = await connectAgent(up, { scripts: { echo } });
    const res = await execPost("/run", { hosts: [up.name, down.name], script: "echo", token: await adminToken() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reqid: string; results: Record<string, unknown>[] };
    expect(body.results[1]).toEqual({
      host: down.name,
      script: "echo",
      exit: -1,
      error: "host offline",
      rtt: expect.stringMatching(/^\d+ms$/),
      reqid: body.reqid,
    });
    expect(body.results[0]?.exit).toBe(0);
    agent.close();
  });

  it("a script the host does not allowlist → exit -1 (the agent refuses it; nothing runs)", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const res = await execPost("/run", { hosts: [host.name], script: "not-here", token: await adminToken() });
    const body = (await res.json()) as { results: Record<string, unknown>[] };
    expect(body.results[0]).toMatchObject({ exit: -1, error: "script not allowlisted on this host" });
    expect(agent.executed).toEqual([]);
    agent.close();
  });

  it("a script that cannot be executed → exit 126 with the agent's stderr", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, {
      scripts: { broken: () => ({ exit_code: null, error: "spawn_failed", stderr: "spawn failed: EACCES\n" }) },
    });
    const res = await execPost("/run", { hosts: [host.name], script: "broken", token: await adminToken() });
    const body = (await res.json()) as { results: Record<string, unknown>[] };
    expect(body.results[0]).toMatchObject({ exit: 126, stderr: "spawn failed: EACCES\n" });
    expect(body.results[0]).not.toHaveProperty("error");
    agent.close();
  });

  it("an agent that reports its own timeout → exit -1, read timeout after 60s", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, {
      scripts: { slow: () => ({ exit_code: null, error: "timed_out", stdout: "so far\n" }) },
    });
    const res = await execPost("/run", { hosts: [host.name], script: "slow", token: await adminToken() });
    const body = (await res.json()) as { results: Record<string, unknown>[] };
    expect(body.results[0]).toMatchObject({ exit: -1, error: "read timeout after 60s", stdout: "so far\n" });
    agent.close();
  });

  it("the host's self-reported name is shown when it differs from the registry name", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo }, hostname: "web-01.internal" });
    const res = await execPost("/run", { hosts: [host.name], script: "echo", token: await adminToken() });
    const body = (await res.json()) as { results: Record<string, unknown>[] };
    expect(body.results[0]?.reported_hostname).toBe("web-01.internal");
    agent.close();
  });

  it("a form-encoded Content-Type (curl -d) is read as JSON like ctrl-exec does", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const res = await call("/run", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ hosts: [host.name], script: "echo", args: ["x"], token: await adminToken() }),
    });
    expect(res.status).toBe(200);
    agent.close();
  });
});

describe("POST /run (async) and GET /status/{reqid}", () => {
  it("202 with per-host accepted, then /status goes from pending to complete", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const token = await adminToken();
    const res = await execPost("/run", { hosts: [host.name], script: "slow", args: ["a"], token, async: true });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { reqid: string };
    expect(body).toEqual({
      ok: true,
      async: true,
      reqid: expect.stringMatching(/^[0-9a-f]{16}$/),
      results: [{ host: host.name, status: "accepted", reqid: body.reqid, rtt: expect.stringMatching(/^\d+ms$/) }],
    });
    const auth = { authorization: `Bearer ${token}` };
    const running = await eventually(async () => {
      const s = (await (await call(`/status/${body.reqid}`, { headers: auth })).json()) as {
        hosts: Record<string, { status: string }>;
      };
      return s.hosts[host.name]?.status === "running" ? s : undefined;
    });
    expect(running).toEqual({
      ok: true,
      reqid: body.reqid,
      script: "slow",
      mode: "async",
      created: expect.any(Number),
      complete: false,
      pending: [host.name],
      hosts: { [host.name]: { status: "running" } },
    });
    const run = agent.runs[0];
    if (!run) throw new Error("no run");
    agent.finish(run.command_id, { exit_code: 0, stdout: "done\n", stderr: "" });
    const done = await eventually(async () => {
      const s = (await (await call(`/status/${body.reqid}`, { headers: auth })).json()) as { complete: boolean };
      return s.complete ? s : undefined;
    });
    expect(done).toMatchObject({
      complete: true,
      pending: [],
      hosts: { [host.name]: { status: "done", exit: 0, stdout: "done\n", stderr: "" } },
    });
    agent.close();
  });

  it("a host that is offline at submission is accepted and runs when it reconnects", async () => {
    const host = await enrollHost();
    const token = await adminToken();
    const res = await execPost("/run", { hosts: [host.name], script: "echo", args: ["later"], token, async: true });
    expect(res.status).toBe(202);
    const { reqid, results } = (await res.json()) as { reqid: string; results: { status: string }[] };
    expect(results[0]?.status).toBe("accepted");
    const agent = await connectAgent(host, { scripts: { echo } });
    const done = await eventually(async () => {
      const s = (await (await call(`/status/${reqid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        complete: boolean;
        hosts: Record<string, { stdout?: string }>;
      };
      return s.complete ? s : undefined;
    });
    expect(done.hosts[host.name]?.stdout).toBe("later\n");
    agent.close();
  });

  it("a sync record: hosts as sent, results, completed, complete", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const token = await adminToken();
    const run = (await (
      await execPost("/run", { hosts: [`${host.name}:7443`], script: "echo", args: ["x"], token })
    ).json()) as {
      reqid: string;
      results: unknown[];
    };
    const res = await call(`/status/${run.reqid}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      reqid: run.reqid,
      script: "echo",
      mode: "sync",
      hosts: [`${host.name}:7443`],
      results: [
        {
          host: host.name,
          script: "echo",
          exit: 0,
          stdout: "x\n",
          stderr: "",
          rtt: expect.stringMatching(/^\d+ms$/),
          reqid: run.reqid,
        },
      ],
      completed: expect.any(Number),
      complete: true,
    });
    agent.close();
  });

  it("unknown reqid → 404 no result for reqid", async () => {
    const res = await call("/status/0123456789abcdef", { headers: { authorization: `Bearer ${await adminToken()}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "not found", detail: "no result for reqid 0123456789abcdef" });
  });

  it("upper-case or non-hex reqids are not a route", async () => {
    const res = await call("/status/ABCDEF");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "not found", detail: "no route for GET /status/ABCDEF" });
  });

  it("no credentials, bad credentials, or someone else's run → the same 404", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const token = await adminToken();
    const { reqid } = (await (await execPost("/run", { hosts: [host.name], script: "echo", token })).json()) as {
      reqid: string;
    };
    const nf = { ok: false, error: "not found", detail: `no result for reqid ${reqid}` };
    // The host is in a group the operator is not in: the run is not theirs to see.
    const admin = await import("./auth-helpers").then((m) => m.adminLogin());
    const g = (await (
      await call("/api/v1/groups", {
        method: "POST",
        headers: { authorization: `Bearer ${admin.access}` },
        json: { name: `g-${reqid}` },
      })
    ).json()) as { id: string };
    await call(`/api/v1/hosts/${host.id}/groups`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.access}` },
      json: { group_id: g.id },
    });
    const op = await userWithRole("operator");
    const callers: Record<string, string>[] = [
      {},
      { authorization: "Bearer nope" },
      { authorization: `Bearer ${await tokenFor(op.session)}` },
    ];
    for (const headers of callers) {
      const res = await call(`/status/${reqid}`, { headers });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(nf);
    }
    expect((await call(`/status/${reqid}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    agent.close();
  });

  it("records are not served 24 h after they completed", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const token = await adminToken();
    const { reqid } = (await (await execPost("/run", { hosts: [host.name], script: "echo", token })).json()) as {
      reqid: string;
    };
    const { env } = await import("cloudflare:workers");
    await env.DB.prepare("UPDATE jobs SET completed_at = ? WHERE reqid = ?")
      .bind(Date.now() - 25 * 3_600_000, reqid)
      .run();
    const res = await call(`/status/${reqid}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    agent.close();
  });
});

describe("anonymous access (GET/PUT /api/v1/settings/ctrl-exec)", () => {
  it("denied by default; status allowed from a CIDR makes the reqid the capability", async () => {
    const admin = await import("./auth-helpers").then((m) => m.adminLogin());
    const auth = { authorization: `Bearer ${admin.access}` };
    const current = await call("/api/v1/settings/ctrl-exec", { headers: auth });
    expect(current.status).toBe(200);

    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const { reqid } = (await (
      await execPost("/run", { hosts: [host.name], script: "echo", token: await adminToken() })
    ).json()) as { reqid: string };
    const fromLan = { "cf-connecting-ip": "10.20.30.40" };
    expect((await call(`/status/${reqid}`, { headers: fromLan })).status).toBe(404);

    const put = await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: auth,
      json: { anonymous_actions: ["status", "discovery"], anonymous_cidrs: ["10.20.0.0/16", "2001:db8::/32"] },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      anonymous_actions: ["status", "discovery"],
      anonymous_cidrs: ["10.20.0.0/16", "2001:db8::/32"],
    });
    expect((await call(`/status/${reqid}`, { headers: fromLan })).status).toBe(200);
    expect((await call(`/status/${reqid}`, { headers: { "cf-connecting-ip": "2001:db8::7" } })).status).toBe(200);
    expect((await call(`/status/${reqid}`, { headers: { "cf-connecting-ip": "10.21.0.1" } })).status).toBe(404);
    // run is never anonymous; ping was not opened.
    expect((await execPost("/ping", { hosts: [host.name] }, fromLan)).status).toBe(403);
    // The change is audited.
    const audit = (await (await call("/api/v1/audit?action=settings.update", { headers: auth })).json()) as {
      entries: { target_id: string }[];
    };
    expect(audit.entries.some((e) => e.target_id === "ctrl-exec")).toBe(true);

    await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: auth,
      json: { anonymous_actions: [], anonymous_cidrs: [] },
    });
    expect((await call(`/status/${reqid}`, { headers: fromLan })).status).toBe(404);
    agent.close();
  });

  it("an invalid CIDR → 400; an unknown action → 400; operators → 403", async () => {
    const admin = await import("./auth-helpers").then((m) => m.adminLogin());
    const auth = { authorization: `Bearer ${admin.access}` };
    for (const json of [
      { anonymous_actions: ["status"], anonymous_cidrs: ["10.0.0.1/8"] },
      { anonymous_actions: ["status"], anonymous_cidrs: ["not-an-ip"] },
      { anonymous_actions: ["run"], anonymous_cidrs: [] },
    ]) {
      const res = await call("/api/v1/settings/ctrl-exec", { method: "PUT", headers: auth, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    const op = await userWithRole("operator");
    const res = await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: { authorization: `Bearer ${op.session.access}` },
      json: { anonymous_actions: [], anonymous_cidrs: [] },
    });
    expect(res.status).toBe(403);
  });
});
