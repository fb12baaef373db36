/** The fake of `attio/server`: the calls the app's server functions make, answered from the test's state. */
import {fakeAttio} from "./state"

export function getWorkspaceConnection() {
    const secret = fakeAttio().connectionSecret
    if (secret === undefined) throw new Error("No workspace connection found")
    return {
        id: "connection-1",
        value: secret,
        connection_key: "default",
        createdBy: {type: "user", id: "admin"},
        ownedBy: {type: "workspace", id: "workspace-1"},
    }
}

export function getCurrentUser() {
    const id = fakeAttio().currentUserId
    return id ? {id} : null
}

export const Settings = {
    async getSettings(_schema: unknown, key?: string) {
        const {settings} = fakeAttio()
        return key === undefined ? settings : (settings[key] ?? null)
    },
}

/** The token Attio gives the app for its own API calls; fixed, so tests can check it is the one sent. */
export const ATTIO_API_TOKEN = "attio-app-token"
