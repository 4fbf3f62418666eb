// Bench scenarios. Each has a name, prepare(ctx) → autocannon options (path,
// method, headers, body), and optionally after(ctx) → extra table rows.
export const scenarios = [
  {
    name: "GET /health (baseline)",
    prepare: async () => ({ path: "/health" }),
  },
  {
    name: "GET /status/health (D1)",
    prepare: async () => ({ path: "/status/health" }),
  },
];
