/*
 * JSON Schema as markdown for the generated docs: one table row per field with its type,
 * whether it is required and its rules in words.
 */

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  const?: unknown;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

export const code = (value: unknown) =>
  `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
export const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export function table(headers: string[], rows: string[][]): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

function typeName(schema: JsonSchema): string {
  if (schema.const !== undefined) return code(schema.const);
  if (schema.anyOf) return schema.anyOf.map(typeName).join(" or ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  let name = types.join(" or ") || "any JSON";
  if (schema.format) name += ` (${schema.format})`;
  if (schema.type === "array" && schema.items?.type) name = `array of ${schema.items.type}`;
  return name;
}

/** The rules a JSON Schema states, in words; the integer safe range is said once, not per row. */
function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  if (schema.enum) out.push(`One of ${schema.enum.map(code).join(", ")}`);
  if (schema.minLength !== undefined && schema.maxLength !== undefined) {
    out.push(`${schema.minLength}–${schema.maxLength} characters`);
  } else if (schema.maxLength !== undefined) {
    out.push(`At most ${schema.maxLength} characters`);
  }
  if (schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER) {
    out.push(`At least ${schema.minimum}`);
  }
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) {
    out.push(`At most ${schema.maximum}`);
  }
  if (schema.minItems !== undefined) out.push(`At least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) out.push(`At most ${schema.maxItems} items`);
  if (schema.pattern && schema.format !== "date-time") out.push(`Matches ${code(schema.pattern)}`);
  if (schema.default !== undefined) out.push(`Default ${code(schema.default)}`);
  return out;
}

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** One row per field, descending into objects and arrays of objects (`rejected[].index`). */
export function fieldRows(
  schema: JsonSchema,
  extraRules: Record<string, string[]> = {},
  prefix = "",
): FieldRow[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const row: FieldRow = {
      name: path,
      type: typeName(property),
      required: schema.required?.includes(name) ?? false,
      description: [property.description, ...constraints(property), ...(extraRules[name] ?? [])]
        .filter((text): text is string => Boolean(text))
        .map(sentence)
        .join(" "),
    };
    const nested = property.properties
      ? fieldRows(property, {}, `${path}.`)
      : property.items?.properties
        ? fieldRows(property.items, {}, `${path}[].`)
        : [];
    return [row, ...nested];
  });
}

export function fieldTable(rows: FieldRow[]): string {
  return table(
    ["Field", "Type", "Required", "Description"],
    rows.map((r) => [code(r.name), r.type, r.required ? "yes" : "no", r.description]),
  );
}

export function json(value: unknown): string {
  return ["```json", JSON.stringify(value, null, 2), "```"].join("\n");
}
