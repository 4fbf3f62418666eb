/** The dashboards' event fan-out (the EventHub Durable Object). */
export interface EventsPort {
  /** Hands a dashboard's WebSocket upgrade to the hub, subscribed to `topic`. */
  subscribe(topic: string): Promise<Response>;
}

/** The EventHub binding behind the port; `hubName` is the one hub's name (realtime's EVENT_HUB_NAME). */
export function eventsPort(ns: Env["EVENTS"], hubName: string): EventsPort {
  return {
    subscribe(topic) {
      const hub = ns.get(ns.idFromName(hubName));
      const url = `https://event-hub/subscribe?topic=${encodeURIComponent(topic)}`;
      return hub.fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
    },
  };
}
