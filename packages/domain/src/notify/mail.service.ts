import { audit } from "../audit/audit.service";
import { refuseTarget } from "../external-jwt/outbound";
import { loadSettings, type SettingsValues } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { ssoPolicy } from "../sso/sso.service";
import { buildMimeMessage, escapeHtml, type MailContent } from "./mime-message";
import { type Connector, SmtpError, sendSmtp } from "./smtp-client";

/** Tests replace the socket connector (cloudflare:sockets `connect`) with a scripted one. */
let connectorOverride: Connector | undefined;
export function setSmtpConnectorForTests(connector: Connector | undefined): void {
  connectorOverride = connector;
}

/** Why the SMTP target may not be used under the deployment's outbound policy (as for identity providers). */
function refuseSmtpHost(ctx: DomainContext, host: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`https://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}/`);
  } catch {
    return "smtp.host is not a host name";
  }
  return refuseTarget(url, ssoPolicy(ctx));
}

/** Our host name (EHLO, Message-ID): PUBLIC_URL's, or a reserved placeholder when it is not set. */
function ourHostname(issuer: string): string {
  try {
    return new URL(issuer).hostname || "fleetgate.invalid";
  } catch {
    return "fleetgate.invalid";
  }
}

/** The sender address: notification.email_from, else smtp.from. */
export const senderOf = (s: SettingsValues) => s.notification.email_from || s.smtp.from;

/**
 * Sends one message with the saved SMTP settings. Throws `SmtpError` on a
 * failed conversation (the caller decides: a 200 `{success:false}` for the
 * settings test, a retry for a queued notification) and `DomainError`
 * (common.validation) when SMTP is not usable as configured.
 */
export async function sendMail(
  ctx: DomainContext,
  mail: Omit<MailContent, "from">,
  settings?: SettingsValues,
): Promise<{ response: string }> {
  const s = settings ?? (await loadSettings(ctx));
  if (!s.smtp.host) throw new DomainError("common.validation", "SMTP is not configured (smtp.host)");
  const from = senderOf(s);
  if (!from) throw new DomainError("common.validation", "SMTP sender is not configured (smtp.from)");
  const refused = refuseSmtpHost(ctx, s.smtp.host);
  if (refused) throw new DomainError("common.validation", `smtp.host: ${refused}`);
  const message = buildMimeMessage({ ...mail, from }, { now: ctx.now(), messageIdDomain: ourHostname(ctx.issuer) });
  return sendSmtp(
    {
      host: s.smtp.host,
      port: s.smtp.port,
      tlsMode: s.smtp.tls_mode,
      username: s.smtp.username,
      password: s.smtp.password,
    },
    { from, to: mail.to },
    message,
    { connector: connectorOverride, clientName: ourHostname(ctx.issuer) },
  );
}

/**
 * `POST /settings/smtp/test`: a real SMTP conversation with the saved
 * settings (enabled or not, so an admin can test before switching it on),
 * sending a short test message to `to` or the first notification recipient.
 * A conversation that fails answers `{success:false, message}` with the
 * server's reply (never the password); a configuration that cannot be tried
 * is a 400.
 */
export async function testSmtp(
  ctx: DomainContext,
  to: string | undefined,
): Promise<{ success: boolean; message: string }> {
  const s = await loadSettings(ctx);
  const recipient = to ?? s.notification.recipients[0];
  if (!recipient)
    throw new DomainError("common.validation", "no recipient: pass `to` or configure notification.recipients");
  const text = `This is a test message from Fleetgate (${ctx.issuer}).\n\nIf you can read it, the SMTP settings work.\n`;
  const html = `<p>This is a test message from Fleetgate (${escapeHtml(ctx.issuer)}).</p><p>If you can read it, the SMTP settings work.</p>`;
  let result: { success: boolean; message: string };
  try {
    const res = await sendMail(
      ctx,
      { to: [recipient], subject: "Fleetgate SMTP test", text, html, headers: { "X-Fleetgate-Event": "smtp.test" } },
      s,
    );
    result = { success: true, message: `Test email sent to ${recipient}: ${res.response}`.trim() };
  } catch (err) {
    if (!(err instanceof SmtpError)) throw err;
    result = { success: false, message: err.message };
  }
  await audit(ctx, {
    action: "settings.smtp_test",
    targetType: "setting",
    targetId: "smtp",
    outcome: result.success ? "success" : "failure",
    detail: { to: recipient, host: s.smtp.host, port: s.smtp.port, tls_mode: s.smtp.tls_mode },
  });
  return result;
}
