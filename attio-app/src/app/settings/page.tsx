import {Settings} from "attio/client"

import schema from "./schema"

export default Settings.defineWorkspacePage(schema, () => {
    const {Form, TextInput} = Settings.useForm(schema)
    return (
        <Form>
            <TextInput
                name="serviceUrl"
                label="Service URL"
                placeholder="https://sync.example.com"
            />
        </Form>
    )
})
