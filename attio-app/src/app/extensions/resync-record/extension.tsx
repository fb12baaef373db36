import {Extensions, showToast} from "attio/client"

import resyncRecords from "../../service/resync-records.server"
import {SYNCED_OBJECTS} from "../../service/sync-objects"

/** "Resync from Asana" on one record: queues the resync and says where to follow it. */
export default Extensions.defineExtension({
    type: "record-action",
    id: "resync-from-asana",
    label: "Resync from Asana",
    icon: "ArrowsRefresh",
    objects: SYNCED_OBJECTS,
    onTrigger: async ({recordId, object}) => {
        try {
            const queued = await resyncRecords({
                object,
                recordIds: [recordId],
                source: "attio-record-action",
            })
            await showToast({
                variant: "success",
                title: "Resync queued",
                text: `Asana's current state is written here in a few seconds (Temporal workflow ${queued.workflowId}).`,
            })
        } catch (error) {
            await showToast({
                variant: "error",
                title: "Resync not queued",
                text: error instanceof Error ? error.message : String(error),
            })
        }
    },
})
