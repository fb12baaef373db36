import {ATTIO_API_TOKEN} from "attio/server"

import {mergeSyncState, type SyncState, syncStateOf} from "./sync-state"

/** Attio's REST API; the app's own token (ATTIO_API_TOKEN) reads the records the service wrote. */
export const ATTIO_API = "https://api.attio.com"

type Values = Record<string, Array<Record<string, unknown>>>

async function attioGet(path: string): Promise<unknown> {
    const response = await fetch(`${ATTIO_API}${path}`, {
        headers: {authorization: `Bearer ${ATTIO_API_TOKEN}`},
    })
    if (!response.ok) throw new Error(`Attio answered ${response.status} reading ${path}`)
    return response.json()
}

/**
 * The record's sync state as the service wrote it into Attio. A task keeps its state on its Sales Task entry (the
 * entry is what each sync writes), so a record without state of its own is looked up through its list entries.
 */
export default async function readSyncState(object: string, recordId: string): Promise<SyncState> {
    const record = (await attioGet(`/v2/objects/${object}/records/${recordId}`)) as {
        data: {values: Values}
    }
    const own = syncStateOf(record.data.values)
    if (own.status !== "never") return own
    const entries = (await attioGet(`/v2/objects/${object}/records/${recordId}/entries`)) as {
        data: Array<{list_api_slug: string; entry_id: string}>
    }
    for (const membership of entries.data) {
        const entry = (await attioGet(
            `/v2/lists/${membership.list_api_slug}/entries/${membership.entry_id}`
        )) as {data: {entry_values: Values}}
        const state = syncStateOf(entry.data.entry_values)
        if (state.status !== "never") return mergeSyncState(state, own)
    }
    return own
}
