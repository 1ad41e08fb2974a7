/*
 * Which documented path a concrete request path is. A literal segment wins over a parameter,
 * as in the router: /api/v1/exceptions/bulk is the bulk operation, not an exception's id.
 */

type Paths = Record<string, Record<string, unknown>>;

/** A finder of the path template (as the document names it) a method and path are, or null. */
export function pathTemplateFinder(paths: Paths): (method: string, path: string) => string | null {
  const templates = Object.keys(paths)
    .map((template) => ({
      template,
      parameters: template.split("{").length - 1,
      pattern: new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
    }))
    .sort((a, b) => a.parameters - b.parameters);
  return (method, path) =>
    templates.find(
      ({ template, pattern }) => pattern.test(path) && paths[template]?.[method.toLowerCase()],
    )?.template ?? null;
}
