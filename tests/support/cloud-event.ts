/**
 * A CloudEvents 1.0 envelope of `type` around `data`, as a sender posts it to /api/v1/events:
 * by default sent now.
 */
export function cloudEvent<Type extends string, Data>(
  type: Type,
  id: string,
  source: string,
  data: Data,
  time = new Date().toISOString(),
) {
  return { specversion: "1.0", id, source, type, time, data };
}
