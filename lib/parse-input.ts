import type { z } from "zod";
import { InvalidInput } from "@/lib/errors";

/**
 * Input as `schema` reads it, or InvalidInput listing every problem as "<where>: <message>".
 * Where is the field's path ("amount", "items.2.id"), or `whole` when the problem is with the
 * value as a whole; `label` names a path in the words of the form that sent it instead.
 * `title` heads the message ("Invalid alert rule: …"), which a form shows alone.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  options: {
    whole?: string;
    label?: (path: readonly PropertyKey[]) => string;
    title?: string;
  } = {},
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where =
    options.label ?? ((path) => path.map(String).join(".") || (options.whole ?? "value"));
  const problems = parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`);
  const message = problems.join("; ");
  throw new InvalidInput(options.title ? `${options.title}: ${message}` : message, problems);
}

/**
 * A URL's query as `schema` reads it, or InvalidInput "Invalid query" listing each problem
 * as "<parameter>: <message>".
 */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  searchParams: URLSearchParams,
): z.output<T> {
  const parsed = schema.safeParse(Object.fromEntries(searchParams));
  if (parsed.success) return parsed.data;
  throw new InvalidInput(
    "Invalid query",
    parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
  );
}
