/** The fake of the `attio` module: the settings schema builders, as plain data. */
export const Settings = {
    Schema: {
        string: () => ({type: "string"}),
        number: () => ({type: "number"}),
        boolean: () => ({type: "boolean"}),
    },
    defineWorkspaceSchema: <TFields>(fields: TFields) => ({scope: "workspace" as const, fields}),
}
