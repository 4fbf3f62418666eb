import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  createDomainContext,
  type DomainContext,
  NOTIFY_TASK,
  notify,
  notifyExpiringCertificates,
  onJobEnded,
  setSmtpConnectorForTests,
} from "@fleetgate/domain";
import { handleQueue } from "@fleetgate/tasks";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeSmtp } from "../../packages/domain/src/notify/smtp-fake";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { seedTask, taskRow } from "./task-helpers";

/**
 * Notification emails: queued as tasks by the domain (`notify`), sent by the
 * task consumer over SMTP with retries, rendered as text + HTML to the
 * configured recipients. A scripted SMTP server stands in behind the socket
 * connector (the real SMTP conversation is test/e2e/smtp.test.ts).
 */
const PASSWORD = "notify-Smtp-pw-7";
let ctx: DomainContext;

async function settings(json: unknown) {
  const res = await call("/api/v1/settings", {
    method: "PUT",
    headers: { ...bearer(await adminLogin()), "cf-connecting-ip": "203.0.113.9" },
    json,
  });
  expect(res.status).toBe(200);
}

const enable = () =>
  settings({
    smtp: {
      enabled: true,
      host: "mail.example.com",
      port: 587,
      tls_mode: "starttls",
      username: "fg",
      password: PASSWORD,
      from: "fleet@example.com",
    },
    notification: { email_enabled: true, recipients: ["ops@example.com", "sec@example.com"] },
  });

let seq = 0;
async function deliver(taskId: string, attempts = 1) {
  const batch = createMessageBatch("fleetgate-tasks", [
    { id: `n-${++seq}`, timestamp: new Date(), attempts, body: { v: 1, task_id: taskId } },
  ]);
  const retry = vi.spyOn(batch.messages[0] as Message<unknown>, "retry");
  await handleQueue(batch, env);
  await getQueueResult(batch, createExecutionContext());
  return { retried: retry.mock.calls.length > 0 };
}

async function notifyTasks(type: string) {
  const rows = await env.DB.prepare(
    "SELECT id, status, params FROM tasks WHERE name = ? AND json_extract(params, '$.event.type') = ? ORDER BY created_at",
  )
    .bind(NOTIFY_TASK, type)
    .all<{ id: string; status: string; params: string }>();
  return rows.results;
}

const decoded = (raw: string) =>
  [...raw.matchAll(/base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/g)].map((m) =>
    new TextDecoder().decode(Uint8Array.from(atob((m[1] ?? "").replace(/\s/g, "")), (c) => c.charCodeAt(0))),
  );

/** Task ids the domain enqueued, in order. */
const enqueued: string[] = [];

beforeAll(async () => {
  // The test delivers each task itself (`deliver`); the queue's own consumer never sees them. Consumed in
  // the background, a task would race the scripted SMTP server, and log after the file ended.
  ctx = {
    ...(await createDomainContext(env, { requestId: "notify-test", issuer: "https://fleet.example.com" })),
    tasks: {
      enqueue: async (taskId) => {
        enqueued.push(taskId);
      },
    },
  };
});
afterEach(() => setSmtpConnectorForTests(undefined));

describe("notifications", () => {
  it("nothing is queued while email notifications are off", async () => {
    await settings({ notification: { email_enabled: false, recipients: ["ops@example.com"] } });
    const out = await notify(ctx, {
      type: "enrollment_pending",
      request_id: "r-off",
      hostname: "off",
      fqdn: "off.example.com",
      ip_address: "192.0.2.1",
    });
    expect(out).toBe("disabled");
  });

  it("job failed: queued, sent to every recipient as text + HTML, nothing secret", async () => {
    await enable();
    const srv = fakeSmtp({ user: "fg", pass: PASSWORD });
    setSmtpConnectorForTests(srv.connector);
    const jobId = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO jobs (id, reqid, kind, script, args, mode, status, options, notes, host_count, succeeded_count, failed_count, created_at)
       VALUES (?, ?, 'script', 'apt-upgrade', '[]', 'async', 'failed', '{}', '', 3, 1, 2, ?)`,
    )
      .bind(jobId, `req-${jobId}`, Date.now())
      .run();
    await onJobEnded(ctx, jobId);
    const [task] = (await notifyTasks("job_failed")).filter((t) => t.params.includes(jobId));
    expect(task).toBeDefined();
    expect(enqueued).toContain(task?.id);
    await deliver(task?.id ?? "");
    expect((await taskRow(task?.id ?? ""))?.status).toBe("SUCCESS");
    expect(srv.commands).toContain("RCPT TO:<ops@example.com>");
    expect(srv.commands).toContain("RCPT TO:<sec@example.com>");
    const raw = srv.data[0] ?? "";
    expect(raw).toContain("Subject: Job failed: apt-upgrade (2 of 3 hosts failed)");
    expect(raw).toContain("X-Fleetgate-Event: job_failed");
    const [text, html] = decoded(raw);
    // The consumer links under PUBLIC_URL (unset in these tests).
    expect(text).toContain(`/app/jobs/${jobId}`);
    expect(html).toContain("<h2>Job failed: apt-upgrade");
    expect(raw).not.toContain(PASSWORD);
  });

  it("a job that succeeded sends nothing", async () => {
    await enable();
    const jobId = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO jobs (id, reqid, kind, args, mode, status, options, notes, host_count, succeeded_count, failed_count, created_at)
       VALUES (?, ?, 'script', '[]', 'async', 'succeeded', '{}', '', 1, 1, 0, ?)`,
    )
      .bind(jobId, `req-${jobId}`, Date.now())
      .run();
    await onJobEnded(ctx, jobId);
    expect((await notifyTasks("job_failed")).some((t) => t.params.includes(jobId))).toBe(false);
  });

  it("rollback performed: one email per restored host of a rollback job, none for hosts it could not restore", async () => {
    await enable();
    const jobId = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO jobs (id, reqid, kind, args, mode, status, options, notes, host_count, succeeded_count, failed_count, created_at)
       VALUES (?, ?, 'rollback', '[]', 'async', 'failed', '{}', '', 2, 1, 1, ?)`,
    )
      .bind(jobId, `req-${jobId}`, Date.now())
      .run();
    const hosts = [
      ["rb-ok", "succeeded"],
      ["rb-bad", "failed"],
    ] as const;
    for (const [name, status] of hosts) {
      await env.DB.prepare("INSERT INTO job_hosts (id, job_id, host_id, host_name, status) VALUES (?, ?, ?, ?, ?)")
        .bind(crypto.randomUUID(), jobId, crypto.randomUUID(), `${name}-${jobId.slice(0, 8)}`, status)
        .run();
    }
    await onJobEnded(ctx, jobId);
    await onJobEnded(ctx, jobId);
    const mine = (await notifyTasks("rollback_performed")).filter((t) => t.params.includes(jobId));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.params).toContain(`rb-ok-${jobId.slice(0, 8)}`);
    // The rollback job itself failed on one host: "job failed" goes out too.
    expect((await notifyTasks("job_failed")).some((t) => t.params.includes(jobId))).toBe(true);
  });

  it("a temporary refusal (4xx) is retried; a later attempt delivers", async () => {
    await enable();
    const id = await seedTask({
      name: NOTIFY_TASK,
      status: "PENDING",
      createdBy: null,
      params: {
        event: {
          type: "rollback_performed",
          job_id: "j-1",
          host_id: "h-1",
          hostname: "web-1",
          summary: "3 packages restored",
        },
      },
    });
    setSmtpConnectorForTests(
      fakeSmtp({ user: "fg", pass: PASSWORD, override: { MAIL: "451 4.3.0 try later" } }).connector,
    );
    expect((await deliver(id)).retried).toBe(true);
    expect((await taskRow(id))?.status).toBe("PENDING");
    const ok = fakeSmtp({ user: "fg", pass: PASSWORD });
    setSmtpConnectorForTests(ok.connector);
    expect((await deliver(id, 2)).retried).toBe(false);
    expect((await taskRow(id))?.status).toBe("SUCCESS");
    expect(ok.data[0]).toContain("Subject: Rollback performed on web-1");
  });

  it("a permanent refusal (5xx, e.g. bad credentials) fails the task without retrying", async () => {
    await enable();
    const id = await seedTask({
      name: NOTIFY_TASK,
      status: "PENDING",
      createdBy: null,
      params: {
        event: { type: "audit_verification_failed", rows_checked: 10, errors: 1, first_row_id: "row-1" },
      },
    });
    setSmtpConnectorForTests(fakeSmtp({ user: "fg", pass: "other" }).connector);
    expect((await deliver(id)).retried).toBe(false);
    const row = await taskRow(id);
    expect(row?.status).toBe("FAILURE");
    expect(row?.error ?? "").not.toContain(PASSWORD);
  });

  it("dedupe: the same key within the window queues once", async () => {
    await enable();
    const event = {
      type: "enrollment_pending" as const,
      request_id: "r-dup",
      hostname: "dup",
      fqdn: "dup.example.com",
      ip_address: "192.0.2.7",
    };
    const key = `test:${crypto.randomUUID()}`;
    expect(await notify(ctx, event, { dedupe: key })).toBe("queued");
    expect(await notify(ctx, event, { dedupe: key })).toBe("duplicate");
  });

  it("certificates and CA certificates close to expiry: one email listing them, once a day", async () => {
    await enable();
    const now = Date.now();
    const serial = crypto.randomUUID().replace(/-/g, "");
    await env.DB.prepare(
      `INSERT INTO certificates (id, serial, kind, common_name, subject, fingerprint_sha1, fingerprint_sha256, cert_pem, not_before, not_after, status, created_at)
       VALUES (?, ?, 'client', 'web-exp.example.com', 'CN=web-exp', ?, ?, 'PEM', ?, ?, 'active', ?)`,
    )
      .bind(crypto.randomUUID(), serial, serial.slice(0, 20), serial, now - 86_400_000, now + 86_400_000, now)
      .run();
    expect(await notifyExpiringCertificates(ctx)).toBe("queued");
    expect(await notifyExpiringCertificates(ctx)).toBe("duplicate");
    const tasks = await notifyTasks("certificate_expiring");
    const params = JSON.parse(tasks.at(-1)?.params ?? "{}") as {
      event: { certificates: { serial: string; kind: string }[] };
    };
    expect(params.event.certificates.some((c) => c.serial === serial && c.kind === "client")).toBe(true);
  });
});
