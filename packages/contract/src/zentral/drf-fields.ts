/**
 * Django REST framework field semantics the Zentral face reproduces
 * (zentral.md §2, §4): the exact messages of `CharField` and `IntegerField`.
 */

export type FieldResult<T> = { value: T } | { error: string } | { missing: true };

/** Python's name for the type of a parsed JSON value (DRF's "Expected a dictionary, but got …"). */
export function pythonTypeName(v: unknown): string {
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "list";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  return "dict";
}

/** DRF `CharField` (trim_whitespace, allow_blank=False, allow_null=False); `undefined` = absent. */
export function charField(v: unknown): FieldResult<string> {
  if (v === undefined) return { missing: true };
  if (v === null) return { error: "This field may not be null." };
  if (typeof v === "boolean" || (typeof v !== "string" && typeof v !== "number"))
    return { error: "Not a valid string." };
  const s = String(v).trim();
  if (s === "") return { error: "This field may not be blank." };
  if (s.includes("\0")) return { error: "Null characters are not allowed." };
  return { value: s };
}

/** DRF `IntegerField(min_value, max_value)`: `int(str(v))` after dropping a `.0…` suffix; `undefined` = absent. */
export function integerField(v: unknown, min: number, max: number): FieldResult<number> {
  if (v === undefined) return { missing: true };
  if (v === null) return { error: "This field may not be null." };
  if (typeof v === "string" && v.length > 1000) return { error: "String value too large." };
  if (typeof v !== "string" && typeof v !== "number") return { error: "A valid integer is required." };
  const text = String(v)
    .replace(/\.0*\s*$/, "")
    .trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(text)) return { error: "A valid integer is required." };
  const n = Number(text.replace(/_/g, ""));
  const tooSmall = `Ensure this value is greater than or equal to ${min}.`;
  const tooLarge = `Ensure this value is less than or equal to ${max}.`;
  if (!Number.isSafeInteger(n)) return { error: n < min ? tooSmall : tooLarge };
  if (n < min) return { error: tooSmall };
  if (n > max) return { error: tooLarge };
  return { value: n };
}
