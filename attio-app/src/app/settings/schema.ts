import {Settings} from "attio"

/**
 * The app's workspace settings. The resync secret is not a setting: it lives in the app's workspace connection
 * (a secret connection a workspace admin fills in at install), which only server functions can read.
 *
 * @see https://docs.attio.com/sdk/guides/adding-workspace-settings
 */
export default Settings.defineWorkspaceSchema({
    /** Base URL of the asana-attio-sync receiver, e.g. https://sync.example.com (POST /resync lives there). */
    serviceUrl: Settings.Schema.string(),
})
