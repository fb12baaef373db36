import {Badge, Extensions, showDialog, useAsyncCache, Widget} from "attio/client"

import readSyncState from "../../service/read-sync-state.server"
import {SYNCED_OBJECTS} from "../../service/sync-objects"
import {describeSyncedAt, STATUS_COLOR, STATUS_LABEL} from "./labels"
import SyncStateDialog from "./sync-state-dialog"

function AsanaSyncState({recordId, object}: {recordId: string; object: string}) {
    const {
        values: {state},
    } = useAsyncCache({state: [readSyncState, object, recordId]})
    return (
        <Widget.TextWidget
            onTrigger={() =>
                showDialog({
                    title: "Sync with Asana",
                    Dialog: () => <SyncStateDialog state={state} />,
                })
            }
        >
            <Widget.Title>Asana sync</Widget.Title>
            <Badge color={STATUS_COLOR[state.status]}>{STATUS_LABEL[state.status]}</Badge>
            <Widget.Text.Primary>
                Last synced {describeSyncedAt(state.lastSyncedAt)}
            </Widget.Text.Primary>
            {state.lastError ? (
                <Widget.Text.Secondary>{state.lastError}</Widget.Text.Secondary>
            ) : null}
        </Widget.TextWidget>
    )
}

/** What the service last wrote about this record's sync: status, when, the last error, the Asana link. */
export default Extensions.defineExtension({
    type: "record-widget",
    id: "asana-sync-state",
    label: "Asana sync",
    objects: SYNCED_OBJECTS,
    Widget: ({recordId, object}) => <AsanaSyncState recordId={recordId} object={object} />,
})
