import { type DomainContext, validCertificatesOfHosts } from "@fleetgate/domain";

/** How long one read of the hosts' valid certificates serves the job's dispatches before D1 is read again. */
export const CERTIFICATE_READ_TTL_MS = 2_000;
/** A read covers the hosts being dispatched and at most this many of the job's next pending hosts. */
export const CERTIFICATE_READ_AHEAD = 500;

interface CertificateRead {
  at: number;
  hosts: ReadonlySet<string>;
  valid: Map<string, string[]>;
}

/**
 * The certificate check every HostChannel does before it sends a command
 * (finding 3), read from D1 by the JobRun for many hosts at once. A job that
 * refills few slots at a time (ctrl-exec's sliding window of 64) reuses one
 * read — of the hosts being dispatched and the next pending ones — for up to
 * `CERTIFICATE_READ_TTL_MS`, instead of one D1 query per refill. A host outside
 * the last read, or a read older than that, reads D1 again. The check is thus
 * at most that old when a command goes out; an API revocation closes the
 * agent's socket at once anyway (`endCertificates`): this read catches a
 * revocation whose close call was lost.
 */
export class DispatchCertificates {
  private last: CertificateRead | undefined;

  /** `upcoming`: host ids of the job's next pending hosts (read ahead with the wave). */
  constructor(private readonly upcoming: (limit: number) => string[]) {}

  async forHosts(ctx: Pick<DomainContext, "db">, hostIds: readonly string[]): Promise<Map<string, string[]>> {
    const now = Date.now();
    const last = this.last;
    if (last && now - last.at < CERTIFICATE_READ_TTL_MS && hostIds.every((h) => last.hosts.has(h))) return last.valid;
    const hosts = new Set([...hostIds, ...this.upcoming(CERTIFICATE_READ_AHEAD)]);
    const valid = await validCertificatesOfHosts(ctx.db, [...hosts], now);
    this.last = { at: now, hosts, valid };
    return valid;
  }

  /** Forgets the last read (the job's state was wiped). */
  reset(): void {
    this.last = undefined;
  }
}
