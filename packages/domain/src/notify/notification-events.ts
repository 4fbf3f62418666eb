import { z } from "zod";
import { escapeHtml } from "./mime-message";

/**
 * The events that send an email to `settings.notification.recipients`. Each
 * carries identifiers, names and counts only: never output, tokens, keys or
 * anything from a secret setting.
 */
const Id = z.string().max(128);
const Name = z.string().max(256);

export const NotificationEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("job_failed"),
    job_id: Id,
    kind: Name,
    name: Name,
    failed: z.number().int().min(0),
    succeeded: z.number().int().min(0),
    total: z.number().int().min(0),
  }),
  z.object({
    type: z.literal("rollback_performed"),
    job_id: Id,
    host_id: Id,
    hostname: Name,
    /** A short summary, e.g. "3 packages restored"; no command output. */
    summary: z.string().max(500),
  }),
  z.object({
    type: z.literal("enrollment_pending"),
    request_id: Id,
    hostname: Name,
    fqdn: Name,
    ip_address: z.string().max(64),
  }),
  z.object({
    type: z.literal("certificate_expiring"),
    certificates: z
      .array(
        z.object({
          kind: z.enum(["ca-root", "ca-issuing", "client", "server"]),
          name: Name,
          serial: z.string().max(128),
          not_after: z.number().int(),
        }),
      )
      .min(1)
      .max(200),
    total: z.number().int().min(1),
  }),
  z.object({
    type: z.literal("audit_verification_failed"),
    rows_checked: z.number().int().min(0),
    errors: z.number().int().min(1),
    first_row_id: Id,
  }),
]);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const day = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Subject, plain text and HTML of an event; links point at the dashboard under `issuer`/app. */
export function renderNotification(event: NotificationEvent, issuer: string, now: number): RenderedMail {
  const app = `${issuer}/app`;
  let subject: string;
  let lines: string[];
  let link: string;
  switch (event.type) {
    case "job_failed":
      subject = `Job failed: ${event.name || event.kind} (${event.failed} of ${event.total} hosts failed)`;
      lines = [
        `The ${event.kind} job "${event.name || event.job_id}" ended as failed.`,
        `Hosts: ${event.total}, succeeded: ${event.succeeded}, failed: ${event.failed}.`,
        `Job id: ${event.job_id}`,
      ];
      link = `${app}/jobs/${encodeURIComponent(event.job_id)}`;
      break;
    case "rollback_performed":
      subject = `Rollback performed on ${event.hostname}`;
      lines = [
        `A patch on ${event.hostname} was rolled back.`,
        event.summary,
        `Job id: ${event.job_id}`,
        `Host id: ${event.host_id}`,
      ];
      link = `${app}/jobs/${encodeURIComponent(event.job_id)}`;
      break;
    case "enrollment_pending":
      subject = `Enrollment waiting for approval: ${event.hostname || event.fqdn}`;
      lines = [
        `A host asked to enroll and waits for an administrator's approval.`,
        `Host name: ${event.hostname || "-"}`,
        `FQDN: ${event.fqdn}`,
        `Address: ${event.ip_address}`,
        `Request id: ${event.request_id}`,
      ];
      link = `${app}/enrollments`;
      break;
    case "certificate_expiring": {
      subject = `${event.total} certificate${event.total === 1 ? "" : "s"} expiring soon`;
      const listed = event.certificates.map((c) => {
        const days = Math.max(0, Math.floor((c.not_after - now) / 86_400_000));
        return `${c.kind} ${c.name} (serial ${c.serial}): expires ${day(c.not_after)}, in ${days} day${days === 1 ? "" : "s"}`;
      });
      lines = [
        "These certificates expire soon and have not been renewed:",
        ...listed,
        ...(event.total > event.certificates.length ? [`… and ${event.total - event.certificates.length} more.`] : []),
        "Host certificates renew when their agent is online; a CA certificate needs an administrator (docs/pki.md).",
      ];
      link = `${app}/certificates`;
      break;
    }
    case "audit_verification_failed":
      subject = "Audit ledger verification failed";
      lines = [
        `Verifying the audit ledger found ${event.errors} problem${event.errors === 1 ? "" : "s"} in ${event.rows_checked} entries checked.`,
        `First affected entry: ${event.first_row_id}`,
        "The ledger may have been altered outside Fleetgate. Verify it offline with `fleetgate audit verify`.",
      ];
      link = `${app}/audit`;
      break;
  }
  const text = `${lines.join("\n")}\n\n${link}\n\n-- \nFleetgate (${issuer})\n`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(subject)}</h2>`,
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
    `<hr><p style="color:#666">Fleetgate (${escapeHtml(issuer)})</p>`,
    "</body></html>",
  ].join("\n");
  return { subject, text, html };
}
