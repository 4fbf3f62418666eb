import type { StreamEvent } from "@fleetgate/contract";
import { eventHubStub } from "./durable-objects";

/** Who a dashboard socket belongs to, and which of a job's hosts it may hear about. */
export interface Subscription {
  identityId: string;
  /** The sign-in session the socket was opened under (Principal.sessionId): ending it closes the socket. */
  sessionId?: string;
  /** A job stream of a caller who sees only these of the job's hosts; undefined = every host. */
  visibleHosts?: string[];
  /** A non-admin's job stream: closed for re-authorisation when group membership changes. */
  scoped?: boolean;
}

/** The dashboards' event fan-out (the EventHub Durable Object). */
export interface EventsPort {
  /** Hands a dashboard's WebSocket upgrade to the hub, subscribed to `topic`. */
  subscribe(topic: string, who: Subscription): Promise<Response>;
  /** Closes every dashboard socket of an identity (disabled, demoted, sessions revoked). */
  closeIdentity(identityId: string, reason: string): Promise<void>;
  /** Closes the dashboard sockets opened under one sign-in session (logout, refresh reuse, a deleted API token). */
  closeSession(sessionId: string, reason: string): Promise<void>;
  /** Closes non-admin job streams (of one identity, or all with `null`) so they reconnect and are re-authorised. */
  closeScopedStreams(identityId: string | null, reason: string): Promise<void>;
  /** Fans events out to the subscribed dashboards (in order; throws when the hub was not reached). */
  publish(events: StreamEvent[]): Promise<void>;
}

/** The EventHub binding behind the port. */
export function eventsPort(ns: Env["EVENTS"]): EventsPort {
  const hub = () => eventHubStub(ns);
  return {
    async subscribe(topic, who) {
      const url = new URL("https://event-hub/subscribe");
      url.searchParams.set("topic", topic);
      url.searchParams.set("identity", who.identityId);
      if (who.sessionId) url.searchParams.set("session", who.sessionId);
      if (who.scoped) url.searchParams.set("scoped", "1");
      if (who.visibleHosts) {
        const key = crypto.randomUUID();
        await hub().restrict({ key, hosts: who.visibleHosts });
        url.searchParams.set("key", key);
      }
      return hub().fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
    },
    async closeIdentity(identityId, reason) {
      await hub().closeIdentity(identityId, reason);
    },
    async closeSession(sessionId, reason) {
      await hub().closeSession(sessionId, reason);
    },
    async closeScopedStreams(identityId, reason) {
      await hub().closeScoped(identityId, reason);
    },
    async publish(events) {
      await hub().publish(events);
    },
  };
}
