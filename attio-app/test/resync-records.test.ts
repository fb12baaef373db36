import assert from "node:assert/strict"
import {beforeEach, describe, it} from "node:test"

import resyncRecords from "../src/app/service/resync-records.server"
import {resetFakeAttio} from "./fake-attio/state"
import {json, stubFetch} from "./stub-fetch"

const request = {
    object: "asana_tasks",
    recordIds: ["rec-1", "rec-2"],
    source: "attio-bulk-record-action" as const,
}

describe("resyncRecords (server function)", () => {
    beforeEach(() =>
        resetFakeAttio({
            connectionSecret: "s3cret",
            settings: {serviceUrl: "https://sync.example.com/"},
            currentUserId: "member-7",
        })
    )

    it("posts the Attio record ids, who asked and from where to the service's /resync with the connection's secret", async () => {
        const seen = stubFetch(() => json(202, {workflowId: "resync-abc"}))
        const queued = await resyncRecords(request)
        assert.deepEqual(queued, {workflowId: "resync-abc", records: 2})
        assert.equal(seen.length, 1)
        assert.equal(seen[0].url, "https://sync.example.com/resync")
        assert.equal(seen[0].method, "POST")
        assert.equal(seen[0].headers.authorization, "Bearer s3cret")
        assert.deepEqual(seen[0].body, {
            attio: {object: "asana_tasks", recordIds: ["rec-1", "rec-2"]},
            requestedBy: {source: "attio-bulk-record-action", workspaceMemberId: "member-7"},
        })
    })

    it("asks for the service URL in the settings before calling anything", async () => {
        resetFakeAttio({connectionSecret: "s3cret", settings: {}})
        const seen = stubFetch(() => json(202, {workflowId: "never"}))
        await assert.rejects(resyncRecords(request), /Set the service URL/)
        assert.equal(seen.length, 0)
    })

    it("says the secret was refused when the service answers 401", async () => {
        stubFetch(() => json(401, {error: "missing or wrong bearer token"}))
        await assert.rejects(resyncRecords(request), /refused the app's secret/)
    })

    it("tells the person how long to wait when the service rate-limits the caller", async () => {
        stubFetch(() => json(429, {error: "too many resync requests"}, {"retry-after": "12"}))
        await assert.rejects(resyncRecords(request), /try again in 12 s/)
    })

    it("passes the service's own words on for any other refusal", async () => {
        stubFetch(() => json(400, {error: "recordIds: at most 1000"}))
        await assert.rejects(
            resyncRecords(request),
            /did not queue the resync: recordIds: at most 1000/
        )
    })
})
