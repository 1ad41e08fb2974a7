import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/contract/openapi";
import { ALERT_CHANNEL_KINDS } from "@/lib/contract/alert-channels";

/*
 * The alert API's request schemas in the served document come from the zod contract: every
 * channel kind and every condition kind a handler accepts is there, with its fields.
 */

const document = buildOpenApiDocument() as unknown as {
  components: { schemas: Record<string, unknown> };
};
const schemas = document.components.schemas;

/** The `kind` constants of a discriminated union's branches, and each branch by kind. */
function branches(
  name: string,
): Map<string, { properties: Record<string, unknown>; required?: string[] }> {
  const schema = schemas[name] as { oneOf?: unknown[]; anyOf?: unknown[] };
  const options = (schema.oneOf ?? schema.anyOf ?? []) as {
    properties: Record<string, { const?: string }>;
    required?: string[];
  }[];
  return new Map(options.map((o) => [o.properties.kind!.const!, o]));
}

describe("alerts in the OpenAPI document", () => {
  it("documents every channel kind with its fields", () => {
    const channels = branches("AlertChannelRequest");
    expect([...channels.keys()].sort()).toEqual([...ALERT_CHANNEL_KINDS].sort());
    expect(channels.get("teams")!.required).toEqual(expect.arrayContaining(["name", "url"]));
    const pagerduty = channels.get("pagerduty")!;
    expect(pagerduty.required).toEqual(expect.arrayContaining(["name", "routingKey"]));
    expect(pagerduty.required).not.toContain("eventsUrl");
    expect(pagerduty.properties.routingKey).toMatchObject({ writeOnly: true });
  });

  it("documents every condition kind, and each exception trigger with its fields", () => {
    const rule = schemas.AlertRuleRequest as {
      properties?: { condition: { oneOf?: unknown[]; anyOf?: unknown[] } };
      allOf?: unknown[];
    };
    const text = JSON.stringify(rule);
    const condition = rule.properties!.condition;
    const kinds = ((condition.oneOf ?? condition.anyOf) as Record<string, unknown>[]).flatMap(
      (option) => {
        const nested = (option.oneOf ?? option.anyOf) as
          { properties: { kind: { const: string } } }[] | undefined;
        return nested
          ? nested.map((o) => o.properties.kind.const)
          : [(option as { properties: { kind: { const: string } } }).properties.kind.const];
      },
    );
    expect([...new Set(kinds)].sort()).toEqual(
      ["close", "exceptions", "kpi", "kpi_change", "silence"].sort(),
    );
    for (const field of [
      '"withinDays"',
      '"unit"',
      '"percent"',
      '"points"',
      '"sla_breach"',
      '"new"',
      '"severity"',
    ]) {
      expect(text).toContain(field);
    }
  });
});
