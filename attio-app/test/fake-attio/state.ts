/**
 * What the fake `attio` and `attio/server` modules answer, set by each test. Attio runs server functions in its own
 * runtime with these modules provided; the tests bundle the same files with these fakes in their place.
 */
export interface FakeAttioState {
    /** The workspace connection's secret; unset, getWorkspaceConnection throws as Attio does without one. */
    connectionSecret?: string
    settings: Record<string, string | number | boolean | null>
    currentUserId?: string
}

const key = Symbol.for("asana-attio-sync.fake-attio")
const store = globalThis as unknown as Record<symbol, FakeAttioState | undefined>

export const fakeAttio = (): FakeAttioState => (store[key] ??= {settings: {}})

export const resetFakeAttio = (state: Partial<FakeAttioState> = {}) => {
    store[key] = {settings: {}, ...state}
}
