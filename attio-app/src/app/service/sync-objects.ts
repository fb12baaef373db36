/**
 * The Attio objects asana-attio-sync writes (the defaults of its field map, mapping/field-map.ts in the service).
 * A workspace with a custom field map lists its own object slugs here before building the app.
 */
export const SYNCED_OBJECTS = ["asana_projects", "asana_sections", "asana_tasks"]

/** Where a resync was asked for; the service writes it into the note on the record. */
export type ResyncSource = "attio-record-action" | "attio-bulk-record-action"
