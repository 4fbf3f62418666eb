import { DurableObject } from "cloudflare:workers";

/**
 * One per enrolled host: holds the agent's WebSocket (hibernation API), the
 * host's durable queue of pending commands, and forwards results to JobRun.
 */
export class HostChannel extends DurableObject<Env> {}
