/**
 * The sync state asana-attio-sync writes on each record (or, for a task, on its Sales Task entry): the attributes
 * `asana_sync_status`, `asana_last_synced_at`, `asana_last_sync_error`, and the Asana permalink.
 */
export interface SyncState {
    status: "synced" | "failed" | "tombstoned" | "never"
    lastSyncedAt?: string
    lastError?: string
    permalink?: string
}

type AttioValues = Record<string, Array<Record<string, unknown>> | undefined>

const first = (values: AttioValues, slug: string) => values[slug]?.[0]

const text = (values: AttioValues, slug: string): string | undefined => {
    const value = first(values, slug)?.value
    return typeof value === "string" && value !== "" ? value : undefined
}

/** Reads the sync state from Attio's value objects (a select's active option has `option.title`). */
export function syncStateOf(values: AttioValues): SyncState {
    const option = first(values, "asana_sync_status")?.option as {title?: unknown} | undefined
    const title = option?.title
    const status =
        title === "synced" || title === "failed" || title === "tombstoned" ? title : "never"
    return {
        status,
        lastSyncedAt: text(values, "asana_last_synced_at"),
        lastError: text(values, "asana_last_sync_error"),
        permalink: text(values, "permalink"),
    }
}

/** Fills what the entry (a task's sync state) lacks from its parent record (the permalink). */
export const mergeSyncState = (entry: SyncState, record: SyncState): SyncState => ({
    ...entry,
    permalink: entry.permalink ?? record.permalink,
})
