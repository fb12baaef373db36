import {getCurrentUser, getWorkspaceConnection, Settings} from "attio/server"

import schema from "../settings/schema"
import type {ResyncSource} from "./sync-objects"

export interface ResyncRequest {
    /** The Attio object of the records (its api slug). */
    object: string
    /** Attio record ids; the service maps each to its Asana gid through the record's `asana_gid`. */
    recordIds: Array<string>
    source: ResyncSource
}

export interface ResyncQueued {
    /** The Temporal workflow that runs the resync; look it up in the Temporal UI. */
    workflowId: string
    records: number
}

/** Reads the service's JSON error, falling back to its status line. */
async function refusal(response: Response): Promise<string> {
    const body = (await response.json().catch(() => null)) as {error?: unknown} | null
    return typeof body?.error === "string" ? body.error : `HTTP ${response.status}`
}

/**
 * Asks asana-attio-sync to resync records from Asana. Returns as soon as the service has queued the resync (a
 * Temporal workflow), well inside the 30 s a server function may run; the sync itself happens in the service.
 */
export default async function resyncRecords(request: ResyncRequest): Promise<ResyncQueued> {
    const serviceUrl = await Settings.getSettings(schema, "serviceUrl")
    if (!serviceUrl) {
        throw new Error("Set the service URL in the Asana sync app's settings first.")
    }
    const {value: secret} = getWorkspaceConnection()
    const user = getCurrentUser()
    const response = await fetch(new URL("/resync", serviceUrl).toString(), {
        method: "POST",
        headers: {authorization: `Bearer ${secret}`, "content-type": "application/json"},
        body: JSON.stringify({
            attio: {object: request.object, recordIds: request.recordIds},
            requestedBy: {source: request.source, ...(user ? {workspaceMemberId: user.id} : {})},
        }),
    })
    if (response.status === 202) {
        const {workflowId} = (await response.json()) as {workflowId: string}
        return {workflowId, records: request.recordIds.length}
    }
    if (response.status === 401) {
        throw new Error("The sync service refused the app's secret: check the app's connection.")
    }
    if (response.status === 429) {
        const wait = response.headers.get("retry-after")
        throw new Error(
            `Too many resyncs at once; try again${wait ? ` in ${wait} s` : " shortly"}.`
        )
    }
    throw new Error(`The sync service did not queue the resync: ${await refusal(response)}`)
}
