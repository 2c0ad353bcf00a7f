// JSON values as they cross process and store boundaries (params, manifest meta, protocol events).
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
