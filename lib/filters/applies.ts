/*
 * Where the shell's entity and time-range bar applies. Areas with pickers of their own leave
 * it out: on /close a month is chosen per entity, and a rolling time range would only suggest
 * that the grid or the checklist follows it.
 */
const OWN_PICKERS = ["/close"] as const;

export function showsGlobalFilters(pathname: string): boolean {
  return !OWN_PICKERS.some((area) => pathname === area || pathname.startsWith(`${area}/`));
}
