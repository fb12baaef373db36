import type {SyncState} from "../../service/sync-state"

export const STATUS_LABEL: Record<SyncState["status"], string> = {
    synced: "Synced",
    failed: "Sync failed",
    tombstoned: "Deleted in Asana",
    never: "Not synced yet",
}

export const STATUS_COLOR = {
    synced: "green",
    failed: "red",
    tombstoned: "grey",
    never: "grey",
} as const

export const describeSyncedAt = (at: string | undefined) =>
    at ? new Date(at).toLocaleString() : "never"
