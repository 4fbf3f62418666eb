import { createDomainContext, type DomainContext, type PlatformEnv } from "@fleetgate/domain";

/** Secrets are not in the generated `Env` (not in wrangler.toml); the Worker's env carries them. */
type WithSecrets = Env & Pick<PlatformEnv, "MASTER_KEY" | "PASSWORD_PEPPER">;

/**
 * A Durable Object's one way into the domain: a DomainContext built by the same
 * `createDomainContext` as the API, the queue consumer and cron (D1 and the ports
 * over the other Durable Objects, R2 and the queue), once per object instance.
 * `scope` is its request id (`job:<id>`, `host:<id>`); the actor is the system.
 * A failed build is not kept: the next call tries again.
 */
export class DomainAccess {
  private built: Promise<DomainContext> | undefined;

  constructor(
    private readonly env: Env,
    private readonly scope: string,
  ) {}

  context(): Promise<DomainContext> {
    if (!this.built) {
      const building = createDomainContext(this.env as WithSecrets, { requestId: this.scope });
      this.built = building;
      building.catch(() => {
        if (this.built === building) this.built = undefined;
      });
    }
    return this.built;
  }
}

/** The request id of an object addressed by name (`idFromName`), e.g. `host:<host id>`. */
export function objectScope(kind: string, ctx: DurableObjectState): string {
  return `${kind}:${ctx.id.name ?? ctx.id.toString()}`;
}
