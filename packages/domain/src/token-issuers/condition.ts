import { Environment } from "@marcbachmann/cel-js";

/**
 * Token-issuer conditions: a CEL expression (https://github.com/google/cel-spec)
 * over one variable, `claims` (the verified JWT payload as a map). Parsing and
 * type-checking happen when an admin saves the issuer; evaluation at each
 * exchange. Limits bound the work a condition can cause.
 */
const env = new Environment({
  limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
}).registerVariable("claims", "map");

/** Why a condition cannot be saved, or undefined when it is a valid boolean expression over `claims`. */
export function conditionProblem(expression: string): string | undefined {
  let result: ReturnType<typeof env.check>;
  try {
    result = env.check(expression);
  } catch (err) {
    return `Invalid CEL expression: ${firstLine(err)}`;
  }
  if (!result.valid) return `Invalid CEL expression: ${firstLine(result.error)}`;
  const type = String(result.type);
  if (type !== "bool" && type !== "dyn") return `The condition must produce a boolean, not ${type}`;
  return undefined;
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";

/**
 * JSON → CEL values, as cel-python's `json_to_cel` does: integral numbers are
 * CEL ints (BigInt here), other numbers doubles, objects maps. Objects become
 * `Map`s so that a claim named `__proto__` is just a key.
 */
export function jsonToCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(jsonToCel);
  if (value !== null && typeof value === "object") {
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonToCel(v)]));
  }
  return value;
}

export type ConditionOutcome =
  | { kind: "value"; value: boolean }
  | { kind: "not_boolean"; value: unknown }
  | { kind: "error"; message: string };

/** Evaluates `expression` with `claims`; never throws. */
export function evaluateCondition(expression: string, claims: Record<string, unknown>): ConditionOutcome {
  let value: unknown;
  try {
    value = env.evaluate(expression, { claims: jsonToCel(claims) });
  } catch (err) {
    return { kind: "error", message: firstLine(err) };
  }
  if (typeof value === "boolean") return { kind: "value", value };
  return { kind: "not_boolean", value: typeof value === "bigint" ? Number(value) : value };
}
