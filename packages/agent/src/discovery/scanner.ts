import { createHash } from "node:crypto";
import { promises as dns } from "node:dns";
import { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import {
  DISCOVERY_BATCH_MAX,
  DISCOVERY_MAX_ADDRESSES,
  type DiscoveredAddress,
  type DiscoveredIdentity,
  type DiscoverFrame,
  SSH_PORT,
} from "@fleetgate/contract/agent";
import { cidrAddresses } from "./cidr-range";

/** Where a scan reports to: batches of answers as they come, then the end. */
export interface ScanSink {
  results(batch: DiscoveredAddress[]): Promise<void>;
  done(probed: number, error: string | null): Promise<void>;
}

/** Resolves false on refusal, reset, unreachable or timeout. */
export function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
    socket.connect({ host, port });
  });
}

/** The certificate a TLS listener presents (unverified: it is only reported, never trusted). */
export function tlsIdentity(host: string, port: number, timeoutMs: number): Promise<DiscoveredIdentity | null> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = tlsConnect({ host, port, rejectUnauthorized: false });
    const finish = (identity: DiscoveredIdentity | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(identity);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once("error", () => finish(null));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerX509Certificate();
      if (!cert) return finish(null);
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? null;
      const dnsNames = (cert.subjectAltName ?? "")
        .split(/,\s*/)
        .filter((s) => s.startsWith("DNS:"))
        .map((s) => s.slice(4))
        .slice(0, 16);
      finish({
        common_name: cn ? cn.slice(0, 255) : null,
        dns_names: dnsNames.map((d) => d.slice(0, 255)),
        fingerprint_sha256: createHash("sha256").update(cert.raw).digest("hex"),
      });
    });
  });
}

/** Reverse lookup through the system resolver (hosts file, then DNS); null when there is no name. */
export async function reverseName(ip: string, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const name = await Promise.race([
      dns.lookupService(ip, SSH_PORT).then(
        (r) => r.hostname,
        () => null,
      ),
      timeout,
    ]);
    return name && name !== ip ? name.slice(0, 253) : null;
  } finally {
    clearTimeout(timer);
  }
}

/** Probes one address: TCP to the agent port and SSH; for what answered, reverse DNS and the TLS identity. */
export async function probe(ip: string, agentPort: number, timeoutMs: number): Promise<DiscoveredAddress | null> {
  const [agentOpen, sshOpen] = await Promise.all([tcpOpen(ip, agentPort, timeoutMs), tcpOpen(ip, SSH_PORT, timeoutMs)]);
  if (!agentOpen && !sshOpen) return null;
  const [fqdn, identity] = await Promise.all([
    reverseName(ip, timeoutMs),
    agentOpen ? tlsIdentity(ip, agentPort, timeoutMs) : Promise.resolve(null),
  ]);
  return { ip_address: ip, fqdn, agent_port_open: agentOpen, ssh_open: sshOpen, identity };
}

/**
 * Runs a `discover` frame: at most `frame.concurrency` addresses in flight, each probe bounded
 * by `frame.timeout_ms`; answers are flushed every `flushMs` (and at the end) so the control
 * plane sees them while the scan runs.
 */
export async function runScan(frame: DiscoverFrame, sink: ScanSink, flushMs = 1000): Promise<void> {
  let addresses: string[];
  try {
    addresses = cidrAddresses(frame.cidr, DISCOVERY_MAX_ADDRESSES);
  } catch (error) {
    await sink.done(0, `refused: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const pending: DiscoveredAddress[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    while (pending.length > 0) {
      const batch = pending.splice(0, DISCOVERY_BATCH_MAX);
      flushing = flushing.then(() => sink.results(batch));
    }
    return flushing;
  };
  const timer = setInterval(() => void flush(), flushMs);
  let next = 0;
  let probed = 0;
  const worker = async () => {
    for (let i = next++; i < addresses.length; i = next++) {
      const ip = addresses[i];
      if (ip === undefined) break;
      const found = await probe(ip, frame.agent_port, frame.timeout_ms);
      probed++;
      if (found) pending.push(found);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(frame.concurrency, addresses.length) }, worker));
  } finally {
    clearInterval(timer);
  }
  await flush();
  await sink.done(probed, null);
}
