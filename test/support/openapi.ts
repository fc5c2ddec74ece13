/** Checks an API answer against a schema of the checked-in OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1 uses). */
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'

export const OPENAPI_DOCUMENT = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
ajv.addSchema(OPENAPI_DOCUMENT, 'openapi')

/** Fails with the validator's errors unless `value` conforms to `#/components/schemas/<schema>`. */
export function assertConforms (schema: string, value: unknown): void {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`) ?? ajv.compile({ $ref: `openapi#/components/schemas/${schema}` })
  assert.ok(validate(value), `${schema}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 600)}`)
}
