import type { z } from "zod";
import { InvalidInput } from "@/lib/errors";

/**
 * Input as `schema` reads it, or InvalidInput listing every problem as "<where>: <message>".
 * Where is the field's path ("amount", "items.2.id"), or `whole` when the problem is with the
 * value as a whole; `label` names a path in the words of the form that sent it instead.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  options: { whole?: string; label?: (path: readonly PropertyKey[]) => string } = {},
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where =
    options.label ?? ((path) => path.map(String).join(".") || (options.whole ?? "value"));
  const problems = parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`);
  throw new InvalidInput(problems.join("; "), problems);
}
