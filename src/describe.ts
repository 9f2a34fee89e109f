// How a value looks in an error message, written once for the whole library: errors say what they got.

/** Returns a short description of a value: "an np array of shape (5, 3)", "an array of length 2", "the string \"0.1\"", "undefined". */
export function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  const shape = (value as { shape?: unknown }).shape;
  if (typeof value === "object" && Array.isArray(shape) && "data" in value) return `an np array of shape (${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "Object"})`;
  return `the ${typeof value} ${String(value)}`;
}
