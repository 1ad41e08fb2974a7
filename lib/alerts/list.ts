/** Alerts as people see them (the page, GET /api/v1/alerts): firing and resolved, newest first. */
export { listAlerts, type AlertListItem } from "@/db/queries/alerts";
