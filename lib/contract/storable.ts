/*
 * What PostgreSQL can store of a JSON value. Valid JSON can still fail on its way there:
 * text may not hold U+0000 (neither a text column nor jsonb takes it), jsonb refuses an
 * unpaired UTF-16 surrogate ("\ud800"), JSON.stringify (which turns a batch into one query
 * parameter) recurses and overflows the stack on a value nested thousands of levels deep, and
 * it writes the Infinity that JSON.parse makes of 1e400 as null. An event carrying any of
 * these is refused with a reason; what is kept of a refused item is made storable with
 * toStorable, so refusing one item can never fail the whole batch.
 */

/** No real event nests this deep; the limit keeps every walk over a payload shallow. */
export const MAX_JSON_DEPTH = 64;

/** Stands in for a subtree past MAX_JSON_DEPTH in a kept copy of a refused item. */
export const TOO_DEEP_MARKER = `[nested deeper than ${MAX_JSON_DEPTH} levels]`;

export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && text.isWellFormed();
}

/** The text with U+0000 and unpaired surrogates replaced by U+FFFD, as a decoder would. */
export function storableText(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD").toWellFormed();
}

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/**
 * Whether `value` can be stored as it is: unstorableReasons would find nothing. Nearly every
 * event can, so this walk allocates no paths and no lists; only an event that fails it is
 * walked again for its reasons (building a path for every key of every event was about a
 * tenth of the server's CPU per ingested event).
 */
function isStorable(value: unknown, depth: number): boolean {
  if (typeof value === "string") return isStorableText(value);
  if (typeof value === "number") return Number.isFinite(value);
  if (!isPlainContainer(value)) return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  for (const key of Object.keys(value)) {
    if (key === "__proto__" || !isStorableText(key)) return false;
    if (!isStorable((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Why `value` cannot be stored as it is, as `path: reason` lines (empty when it can). Stops
 * descending at MAX_JSON_DEPTH, so the walk itself stays shallow whatever arrives.
 */
export function unstorableReasons(value: unknown): string[] {
  return isStorable(value, 0) ? [] : reasonsAt(value, []);
}

function reasonsAt(value: unknown, path: string[]): string[] {
  const at = (p: string[]) => p.join(".") || "(event)";
  if (typeof value === "string") {
    return isStorableText(value)
      ? []
      : [`${at(path)}: contains U+0000 or an unpaired surrogate, which cannot be stored`];
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null.
    return [`${at(path)}: is a number beyond ±1.8e308, which cannot be stored`];
  }
  if (!isPlainContainer(value)) return [];
  if (path.length >= MAX_JSON_DEPTH) {
    return [`${at(path)}: nests deeper than ${MAX_JSON_DEPTH} levels`];
  }
  const reasons: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    if (!isStorableText(key)) {
      reasons.push(
        `${at(path)}: has a key with U+0000 or an unpaired surrogate, which cannot be stored`,
      );
    }
    if (key === "__proto__") {
      // JSON.parse makes it an own key, but any copy through a JavaScript object (zod's
      // among them) would turn it into the object's prototype and lose it without a word.
      reasons.push(`${at(path)}: has a key named "__proto__", which Closeline does not accept`);
    }
    reasons.push(...reasonsAt(child, childPath));
    // Ten reasons are plenty to find the problem; a 5 MB payload need not list them all.
    if (reasons.length >= 10) break;
  }
  return reasons;
}

/**
 * A copy of `value` PostgreSQL will take: text made storable (keys too), subtrees past
 * MAX_JSON_DEPTH replaced by TOO_DEEP_MARKER. Keys are defined as own properties, so a
 * "__proto__" key stays data.
 */
export function toStorable(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return storableText(value);
  if (!isPlainContainer(value)) return value;
  if (depth >= MAX_JSON_DEPTH) return TOO_DEEP_MARKER;
  if (Array.isArray(value)) return value.map((child) => toStorable(child, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [storableText(key), toStorable(child, depth + 1)]),
  );
}
