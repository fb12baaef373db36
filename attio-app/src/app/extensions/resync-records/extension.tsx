import {Extensions, showToast} from "attio/client"

import resyncRecords from "../../service/resync-records.server"
import {SYNCED_OBJECTS} from "../../service/sync-objects"

/** The most record ids one POST /resync carries (the service accepts up to 1,000; 250 is the SDK's largest batch). */
const BATCH_SIZE = 250

/** "Resync from Asana" on the selected records: one queued resync per batch, progress in a toast. */
export default Extensions.defineExtension({
    type: "bulk-record-action",
    id: "resync-selected-from-asana",
    label: "Resync from Asana",
    icon: "ArrowsRefresh",
    objects: SYNCED_OBJECTS,
    onTrigger: async ({runRecordBatches, object}) => {
        const outcome = await runRecordBatches(
            {
                batchSize: BATCH_SIZE,
                onStart: ({totalRecords}) => ({title: `Queueing ${totalRecords} resyncs…`}),
                onProgress: ({processedRecords, totalRecords}) => ({
                    title: `Queued ${processedRecords} of ${totalRecords} resyncs`,
                }),
                onComplete: ({totalRecords}) => ({
                    title: `${totalRecords} resyncs queued`,
                    text: "Asana's current state is written to each record in the next minutes.",
                }),
                onError: ({processedRecords}, error) => ({
                    title: `Stopped after ${processedRecords} resyncs`,
                    text: error instanceof Error ? error.message : String(error),
                }),
            },
            ({recordIds}) => resyncRecords({object, recordIds, source: "attio-bulk-record-action"})
        )
        if (outcome.success) return
        await showToast({
            variant: "error",
            title: "Some resyncs were not queued",
            text: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
        })
    },
})
