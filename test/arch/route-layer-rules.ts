/**
 * The route layer's rule (DESIGN.md "Rules of the house"): code under
 * workers/api/src/routes/ parses, makes one domain call and renders. It imports
 * no ORM and no schema, and touches no binding — storage and the platform are
 * reached through the domain's ports.
 */
export const FORBIDDEN_BINDINGS = ["DB", "JOBS", "HOSTS", "EVENTS", "EXPORTS", "TASKS"] as const;

export interface Violation {
  line: number;
  rule: string;
  text: string;
}

const bindings = FORBIDDEN_BINDINGS.join("|");
const RULES: [string, RegExp][] = [
  ["imports drizzle-orm", /\bfrom\s+["']drizzle-orm(?:\/[^"']*)?["']|\bimport\(\s*["']drizzle-orm/],
  [
    "imports the schema",
    /\bfrom\s+["'][^"']*\/schema(?:\/[^"']*)?["']|\bimport\s*\{[^}]*\bschema\b[^}]*\}\s*from\s+["']@fleetgate\/domain["']/,
  ],
  ["uses the schema", /\.\s*schema\s*\./],
  [
    "touches a binding",
    new RegExp(`\\benv\\s*(?:\\.|\\?\\.)\\s*(?:${bindings})\\b|\\benv\\s*\\[\\s*["'](?:${bindings})["']\\s*\\]`),
  ],
  ["destructures a binding", new RegExp(`\\{[^}]*\\b(?:${bindings})\\b[^}]*\\}\\s*=\\s*(?:\\w+\\.)?env\\b`)],
  ["hands the bindings to a helper", /[(,]\s*c\.env\s*[,)]/],
];

/** The rule violations in one source file's text. */
export function violations(source: string): Violation[] {
  const out: Violation[] = [];
  // Multi-line imports are checked on the whole text, then located by their first line.
  for (const [rule, re] of RULES) {
    const global = new RegExp(re.source, "g");
    for (const m of source.matchAll(global)) {
      const line = source.slice(0, m.index).split("\n").length;
      out.push({ line, rule, text: m[0].replace(/\s+/g, " ").slice(0, 120) });
    }
  }
  return out;
}
