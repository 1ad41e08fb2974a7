/** Alerts as people see them (the page, GET /api/v1/alerts): firing and resolved, newest first. */
export { listAlerts, type AlertListItem } from "@/db/queries/alerts";
/** How many are firing, and how many of those nobody has acknowledged (the shell's bell). */
export { countAlerts, type AlertCounts } from "@/db/queries/alerts";
