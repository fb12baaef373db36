/** A stubbed global `fetch` that records each request and answers from the test's handler. */
export interface SeenRequest {
    url: string
    method: string
    headers: Record<string, string>
    body: unknown
}

export function stubFetch(answer: (request: SeenRequest) => Response): SeenRequest[] {
    const seen: SeenRequest[] = []
    globalThis.fetch = async (input, init) => {
        const headers = Object.fromEntries(new Headers(init?.headers).entries())
        const text = typeof init?.body === "string" ? init.body : undefined
        const request = {
            url: String(input),
            method: init?.method ?? "GET",
            headers,
            body: text === undefined ? undefined : JSON.parse(text),
        }
        seen.push(request)
        return answer(request)
    }
    return seen
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
        status,
        headers: {"content-type": "application/json", ...headers},
    })
