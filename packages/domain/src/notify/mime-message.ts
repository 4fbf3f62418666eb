/**
 * A multipart/alternative message (RFC 5322 + RFC 2045/2046/2047): a plain
 * text part and an HTML part, both UTF-8 and base64-encoded (lines of 76),
 * the subject RFC 2047-encoded when it is not plain ASCII. Header values are
 * checked for line breaks so that nothing can inject a header.
 *
 * Built here rather than with a MIME library: the one that targets Workers
 * (mimetext) pulls core-js polyfills and Node's `path` into the bundle for a
 * message this small.
 */
export interface MailContent {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** Extra `X-` headers (e.g. X-Fleetgate-Event). */
  headers?: Record<string, string>;
}

const encoder = new TextEncoder();

function base64Utf8(s: string): string {
  let bin = "";
  for (const byte of encoder.encode(s)) bin += String.fromCharCode(byte);
  return btoa(bin);
}

const wrap76 = (s: string) => s.replace(/.{1,76}/g, "$&\r\n");

function headerValue(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`line break in the ${name} header`);
  return value;
}

/** RFC 2047 encoded-words for non-ASCII text, split so that each stays under 75 characters. */
export function encodeHeaderText(value: string): string {
  headerValue("subject", value);
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = "";
  for (const ch of value) {
    // 12 UTF-8 bytes of input become 16 base64 characters: stay well under the limit.
    if (encoder.encode(chunk + ch).length > 36) {
      words.push(`=?UTF-8?B?${base64Utf8(chunk)}?=`);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk) words.push(`=?UTF-8?B?${base64Utf8(chunk)}?=`);
  return words.join("\r\n ");
}

function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

export function buildMimeMessage(mail: MailContent, opts: { now: number; messageIdDomain: string }): string {
  const boundary = `fg-${crypto.randomUUID()}`;
  const headers: [string, string][] = [
    ["From", headerValue("From", mail.from)],
    ["To", mail.to.map((t) => headerValue("To", t)).join(", ")],
    ["Subject", encodeHeaderText(mail.subject)],
    ["Date", rfc5322Date(opts.now)],
    ["Message-ID", `<${crypto.randomUUID()}@${headerValue("Message-ID", opts.messageIdDomain)}>`],
    ["MIME-Version", "1.0"],
    ["Auto-Submitted", "auto-generated"],
    ...Object.entries(mail.headers ?? {}).map(
      ([k, v]) => [headerValue("header", k), headerValue(k, v)] as [string, string],
    ),
    ["Content-Type", `multipart/alternative; boundary="${boundary}"`],
  ];
  const part = (type: string, body: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=UTF-8`,
      "Content-Transfer-Encoding: base64",
      "",
      wrap76(base64Utf8(body)),
    ].join("\r\n");
  return [
    ...headers.map(([k, v]) => `${k}: ${v}`),
    "",
    part("text/plain", mail.text),
    part("text/html", mail.html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
