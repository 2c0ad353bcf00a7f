// JSON Schema objects as plain data (validated with ajv). Kept loose on purpose: ajv checks the schemas themselves.
export type JSONSchemaType = { [keyword: string]: unknown };
