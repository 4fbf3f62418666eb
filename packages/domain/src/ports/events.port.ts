import { eventHubStub } from "./durable-objects";

/** The dashboards' event fan-out (the EventHub Durable Object). */
export interface EventsPort {
  /** Hands a dashboard's WebSocket upgrade to the hub, subscribed to `topic`. */
  subscribe(topic: string): Promise<Response>;
}

/** The EventHub binding behind the port. */
export function eventsPort(ns: Env["EVENTS"]): EventsPort {
  return {
    subscribe(topic) {
      const hub = eventHubStub(ns);
      const url = `https://event-hub/subscribe?topic=${encodeURIComponent(topic)}`;
      return hub.fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
    },
  };
}
