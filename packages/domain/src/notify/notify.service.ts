import { and, count, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import { log } from "../log";
import { tasks } from "../schema";
import { cachedSettings, loadSettings } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { createTask } from "../tasks/tasks.service";
import { sendMail } from "./mail.service";
import { NotificationEvent, renderNotification } from "./notification-events";

/** The queue task that sends one notification email (workers/tasks/src/notify/notify.task.ts). */
export const NOTIFY_TASK = "notify.email";

export const NotifyParams = z.object({ event: NotificationEvent, dedupe: z.string().max(256).optional() }).strict();
export type NotifyParams = z.infer<typeof NotifyParams>;

export type NotifyOutcome = "queued" | "disabled" | "duplicate";

/**
 * Queues an email about `event` to the configured recipients, when email
 * notifications are on (`notification.email_enabled`, SMTP configured, at
 * least one recipient). The task row holds the event; the queue message only
 * its id; the consumer sends it with retries and backoff.
 *
 * `dedupe`: a key; if a notification with the same key was queued within
 * `windowMs` (default 24 h), nothing is queued (periodic sweeps use it so a
 * condition is reported once a day, not once a run).
 */
export async function notify(
  ctx: DomainContext,
  event: NotificationEvent,
  opts: { dedupe?: string; windowMs?: number } = {},
): Promise<NotifyOutcome> {
  const parsed = NotificationEvent.parse(event);
  const s = await cachedSettings(ctx);
  if (!s.notification.email_enabled || !s.smtp.enabled || !s.smtp.host || s.notification.recipients.length === 0)
    return "disabled";
  if (opts.dedupe) {
    const since = ctx.now() - (opts.windowMs ?? 24 * 3600_000);
    const seen = await ctx.db
      .select({ n: count() })
      .from(tasks)
      .where(
        and(
          eq(tasks.name, NOTIFY_TASK),
          gt(tasks.createdAt, since),
          sql`json_extract(${tasks.params}, '$.dedupe') = ${opts.dedupe}`,
        ),
      )
      .get();
    if ((seen?.n ?? 0) > 0) return "duplicate";
  }
  const params: NotifyParams = { event: parsed, ...(opts.dedupe ? { dedupe: opts.dedupe } : {}) };
  const task = await createTask(ctx, {
    name: NOTIFY_TASK,
    params,
    audit: { action: "notification.queue", detail: { event: parsed.type } },
  });
  await ctx.tasks.enqueue(task.id);
  return "queued";
}

/**
 * `notify` for call sites whose own work must not fail because of a
 * notification (a job's end, an enrollment request): problems are logged.
 */
export async function notifySafely(
  ctx: DomainContext,
  event: NotificationEvent,
  opts: { dedupe?: string; windowMs?: number } = {},
): Promise<NotifyOutcome | "error"> {
  try {
    return await notify(ctx, event, opts);
  } catch (err) {
    log("error", "queueing a notification failed", {
      requestId: ctx.requestId,
      event: event.type,
      error: err instanceof Error ? err.message : String(err),
    });
    return "error";
  }
}

/**
 * Sends a queued notification (the task's work). Reads the settings fresh:
 * notifications switched off meanwhile are skipped, recipients are the
 * current ones. Throws SmtpError (retried by the consumer) or DomainError.
 */
export async function deliverNotification(
  ctx: DomainContext,
  params: NotifyParams,
): Promise<{ sent: boolean; recipients: number; response?: string }> {
  const s = await loadSettings(ctx);
  if (!s.notification.email_enabled || !s.smtp.enabled || s.notification.recipients.length === 0)
    return { sent: false, recipients: 0 };
  const mail = renderNotification(params.event, ctx.issuer, ctx.now());
  const res = await sendMail(
    ctx,
    { to: s.notification.recipients, ...mail, headers: { "X-Fleetgate-Event": params.event.type } },
    s,
  );
  return { sent: true, recipients: s.notification.recipients.length, response: res.response };
}
