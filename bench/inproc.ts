// In-process micro-benchmarks of the CPU-bound primitives, run by `pnpm bench`
// (Node's WebCrypto — BoringSSL/OpenSSL — as workerd uses). Prints JSON rows.
import { burnPasswordCheck, hashPassword, verifyPassword } from "@fleetgate/auth";
import { checkCsr, createCa, issueCertificate } from "@fleetgate/pki";
import { webCryptoCsr } from "@fleetgate/pki/testing";

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return {
    p50: +q(0.5).toFixed(2),
    p99: +q(0.99).toFixed(2),
    mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2),
  };
}

async function time(n: number, fn: () => Promise<unknown>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const pepper = Buffer.alloc(32, 9).toString("base64");
const stored = await hashPassword("Bench-Pass-1!", pepper);
const verify = stats(await time(40, () => verifyPassword("Bench-Pass-1!", stored, pepper)));
const burn = stats(await time(20, () => burnPasswordCheck(pepper)));

const root = await createCa({ commonName: "Bench Root", days: 30 });
const issuing = await createCa({
  commonName: "Bench Issuing",
  days: 30,
  issuer: { certPem: root.certPem, privateKey: root.privateKey },
});
const csrPem = await webCryptoCsr("CN=bench-host");
const issueOne = async () => {
  const checked = await checkCsr(csrPem, { allowedCommonNames: ["bench-host"] });
  if (!checked.ok) throw new Error(checked.error);
  await issueCertificate({
    issuer: { certPem: issuing.certPem, privateKey: issuing.privateKey },
    publicKey: checked.csr.publicKey,
    commonName: "bench-host",
    identityId: "00000000-0000-4000-8000-000000000001",
    trustDomain: "bench.local",
    kind: "client",
    lifetimeSeconds: 86_400,
    crlUrl: "https://bench.local/api/v1/pki/crl.pem",
  });
};
const issueSamples = await time(200, issueOne);
const issue = stats(issueSamples);
const perSecond = Math.round(1000 / (issueSamples.reduce((a, b) => a + b, 0) / issueSamples.length));

console.log(
  JSON.stringify([
    { route: "in-process: password verify (PBKDF2-SHA256 100k)", "cpu ms p50": verify.p50, "cpu ms p99": verify.p99 },
    { route: "in-process: unknown-user burn", "cpu ms p50": burn.p50, "cpu ms p99": burn.p99 },
    {
      route: "in-process: CSR check + certificate issue",
      "cpu ms p50": issue.p50,
      "cpu ms p99": issue.p99,
      "issues/s": perSecond,
    },
  ]),
);
