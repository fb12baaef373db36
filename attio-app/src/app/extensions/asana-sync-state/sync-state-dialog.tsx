import {DescriptionList, Link} from "attio/client"

import type {SyncState} from "../../service/sync-state"
import {describeSyncedAt, STATUS_LABEL} from "./labels"

export default function SyncStateDialog({state}: {state: SyncState}) {
    return (
        <DescriptionList title="Sync with Asana">
            <DescriptionList.Item label="Status">{STATUS_LABEL[state.status]}</DescriptionList.Item>
            <DescriptionList.Item label="Last synced">
                {describeSyncedAt(state.lastSyncedAt)}
            </DescriptionList.Item>
            <DescriptionList.Item label="Last error">
                {state.lastError ?? "none"}
            </DescriptionList.Item>
            <DescriptionList.Item label="In Asana">
                {state.permalink ? (
                    <Link href={state.permalink}>Open in Asana</Link>
                ) : (
                    "no link yet"
                )}
            </DescriptionList.Item>
        </DescriptionList>
    )
}
