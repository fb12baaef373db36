import assert from "node:assert/strict"
import {beforeEach, describe, it} from "node:test"

import readSyncState from "../src/app/service/read-sync-state.server"
import {resetFakeAttio} from "./fake-attio/state"
import {json, stubFetch} from "./stub-fetch"

const select = (title: string) => [{option: {title}}]
const text = (value: string) => [{value}]

describe("readSyncState (server function)", () => {
    beforeEach(() => resetFakeAttio())

    it("reads status, last sync, error and permalink from the record with the app's Attio token", async () => {
        const seen = stubFetch(() =>
            json(200, {
                data: {
                    values: {
                        asana_sync_status: select("failed"),
                        asana_last_synced_at: text("2026-12-01T10:00:00.000Z"),
                        asana_last_sync_error: text("Attio refused the value of Priority"),
                        permalink: text("https://app.asana.com/0/1/2"),
                    },
                },
            })
        )
        const state = await readSyncState("asana_projects", "rec-1")
        assert.deepEqual(state, {
            status: "failed",
            lastSyncedAt: "2026-12-01T10:00:00.000Z",
            lastError: "Attio refused the value of Priority",
            permalink: "https://app.asana.com/0/1/2",
        })
        assert.equal(seen[0].url, "https://api.attio.com/v2/objects/asana_projects/records/rec-1")
        assert.equal(seen[0].headers.authorization, "Bearer attio-app-token")
    })

    it("finds a task's state on its Sales Task entry and keeps the record's permalink", async () => {
        stubFetch(({url}) => {
            if (url.endsWith("/records/rec-9"))
                return json(200, {data: {values: {permalink: text("https://app.asana.com/0/1/9")}}})
            if (url.endsWith("/records/rec-9/entries"))
                return json(200, {data: [{list_api_slug: "sales_tasks", entry_id: "ent-1"}]})
            if (url.endsWith("/v2/lists/sales_tasks/entries/ent-1"))
                return json(200, {
                    data: {
                        entry_values: {
                            asana_sync_status: select("synced"),
                            asana_last_synced_at: text("2026-12-01T11:00:00.000Z"),
                        },
                    },
                })
            return json(404, {})
        })
        assert.deepEqual(await readSyncState("asana_tasks", "rec-9"), {
            status: "synced",
            lastSyncedAt: "2026-12-01T11:00:00.000Z",
            lastError: undefined,
            permalink: "https://app.asana.com/0/1/9",
        })
    })

    it("reports a record the service never synced as such", async () => {
        stubFetch(({url}) => json(200, {data: url.endsWith("/entries") ? [] : {values: {}}}))
        assert.equal((await readSyncState("asana_tasks", "rec-0")).status, "never")
    })

    it("fails with Attio's status when the record cannot be read", async () => {
        stubFetch(() => json(403, {}))
        await assert.rejects(readSyncState("asana_tasks", "rec-0"), /Attio answered 403/)
    })
})
