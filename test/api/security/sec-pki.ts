import { exports } from "cloudflare:workers";
import { enrolledHost, thumbprints } from "../pki-helpers";

/** A freshly enrolled host identity authenticated on the Ziti face with its certificate (Cloudflare mTLS). */
export async function zitiCertSession() {
  const h = await enrolledHost();
  const { hex } = await thumbprints(h.certPem);
  const req = new Request("http://127.0.0.1/edge/client/v1/authenticate?method=cert", {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.9" },
    body: "{}",
    cf: { tlsClientAuth: { certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: hex } },
  } as RequestInit);
  const res = await exports.default.fetch(req);
  if (res.status !== 200) throw new Error(`cert authenticate: ${res.status}`);
  const token = ((await res.json()) as { data: { token: string } }).data.token;
  return { ...h, token, zt: { "zt-session": token } };
}
