/**
 * Validates HTTP exchanges against the official OpenAPI documents in specs/ with openapi-backend (Ajv),
 * so no schema is copied by hand. Used two ways:
 *  - every response a stand-in sends (stand-ins record them), against the operation it answers;
 *  - every request the project's own Asana and Attio clients send.
 *
 * Where a spec is silent (Attio's 401/429 bodies, Asana's webhook delivery body) the caller checks the shape the fact
 * sheets give instead; `validateResponse` reports "no schema" for such a status so the caller notices.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document, type Operation } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';

/** The official documents, vendored in the repository (specs/SOURCES.md names their origin). */
export const SPECS_DIR = resolve(__dirname, '../../specs');

export type SpecName = 'asana' | 'attio';

const SPEC_FILES: Record<SpecName, { file: string; basePath: string }> = {
  asana: { file: 'asana_oas.yaml', basePath: '/api/1.0' },
  attio: { file: 'attio_openapi.json', basePath: '' },
};

/** One request and its response, as a stand-in records it or a test captures it. */
export interface HttpExchange {
  method: string;
  /** Path and query as sent, e.g. `/api/1.0/tasks/123?opt_fields=name`. */
  url: string;
  requestHeaders?: Record<string, string | string[] | undefined>;
  requestBody?: unknown;
  status?: number;
  responseHeaders?: Record<string, string | string[] | number | undefined>;
  responseBody?: unknown;
}

export interface Conformance {
  /** The spec's operation for a method and URL, or undefined when the spec has no such path. */
  operationFor(method: string, url: string): Operation | undefined;
  /** Problems with the response of an exchange; empty when it conforms. */
  validateResponse(exchange: HttpExchange): string[];
  /** Problems with the request of an exchange (path, query, headers, body); empty when it conforms. */
  validateRequest(exchange: HttpExchange): string[];
}

const cache = new Map<SpecName, Promise<Conformance>>();

/** Loads and compiles a spec once per test process. */
export function conformanceTo(spec: SpecName): Promise<Conformance> {
  let loaded = cache.get(spec);
  if (!loaded) {
    loaded = load(spec);
    cache.set(spec, loaded);
  }
  return loaded;
}

async function load(spec: SpecName): Promise<Conformance> {
  const { file, basePath } = SPEC_FILES[spec];
  const text = readFileSync(resolve(SPECS_DIR, file), 'utf8');
  const definition = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Document;
  repairDefinition(definition);
  // `quick` skips validating the document itself: Asana's document puts siblings next to $ref, which the strict
  // OpenAPI 3.0 meta-schema rejects although every tool (and Asana's own SDK generator) reads it fine.
  const api = new OpenAPIBackend({
    definition,
    quick: true,
    strict: false,
    validate: true,
    ajvOpts: { strict: false, allErrors: true },
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
  });
  await api.init();

  const split = (url: string) => {
    const parsed = new URL(url, 'http://stand-in');
    const path = parsed.pathname.startsWith(basePath) ? parsed.pathname.slice(basePath.length) || '/' : parsed.pathname;
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of parsed.searchParams) {
      const prior = query[key];
      query[key] = prior === undefined ? value : ([] as string[]).concat(prior, value);
    }
    return { path, query };
  };

  const operationFor = (method: string, url: string) =>
    api.matchOperation({ method: method.toLowerCase(), path: split(url).path, headers: {} }) ?? undefined;

  const format = (errors: { instancePath?: string; message?: string; params?: unknown }[] | null | undefined) =>
    (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`.trim());

  return {
    operationFor,
    validateResponse(exchange) {
      const operation = operationFor(exchange.method, exchange.url);
      if (!operation) return [`${exchange.method} ${exchange.url}: no such operation in the ${spec} spec`];
      const status = exchange.status ?? 200;
      const responses = operation.responses ?? {};
      const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
      if (!declared) return [`${operation.operationId ?? operation.path}: the ${spec} spec declares no ${status}`];
      const result = api.validateResponse(exchange.responseBody, operation, status);
      return format(result.errors).map((e) => `${exchange.method} ${exchange.url} → ${status}: ${e}`);
    },
    validateRequest(exchange) {
      const { path, query } = split(exchange.url);
      const headers: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(exchange.requestHeaders ?? {})) {
        if (value !== undefined) headers[key.toLowerCase()] = value;
      }
      const result = api.validateRequest({
        method: exchange.method.toLowerCase(),
        path,
        query,
        headers,
        body: exchange.requestBody,
      });
      return format(result.errors).map((e) => `${exchange.method} ${exchange.url}: ${e}`);
    },
  };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Repairs, in memory, what keeps a published document from being checked at all. Each fix is narrow and leaves every
 * constraint the document states in place:
 *  - Operations without an `operationId` get `<method> <path>`: openapi-backend keys its compiled validators by
 *    operationId, and Attio's document has none (without ids every response failed with "Unknown operation").
 *  - OpenAPI 3.1 nullable enums: `type: ["string", "null"]` next to an `enum` that omits null means "one of these, or
 *    null" (JSON Schema would reject null); null is added to the enum. E.g. Attio's list `workspace_access`.
 *  - OpenAPI 3.0 `nullable: true` without a `type` (Asana's document, next to $ref and allOf) becomes
 *    `anyOf: [schema, {type: "null"}]`, which is what it means; Ajv cannot compile it otherwise.
 *  - Attio's timestamp value says `format: "date"` although its own description and example are timestamps
 *    ("2023-01-01T15:00:00.000000000Z"); it becomes `date-time` (attio_openapi.json, output-value, attribute_type
 *    "timestamp").
 */
function repairDefinition(definition: Document): void {
  for (const [path, item] of Object.entries(definition.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, { operationId?: string } | undefined> | undefined)?.[method];
      if (operation && !operation.operationId) operation.operationId = `${method} ${path}`;
    }
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    // OpenAPI 3.0 `nullable: true` on a schema without `type` (Asana puts it next to $ref/allOf): Ajv refuses
    // "nullable cannot be used without type", so it becomes "this schema, or null".
    if (schema.nullable === true && schema.type === undefined) {
      const rest: Record<string, unknown> = { ...schema };
      delete rest.nullable;
      for (const key of Object.keys(schema)) delete schema[key];
      schema.anyOf = [rest, { type: 'null' }];
    }
    if (Array.isArray(schema.type) && schema.type.includes('null') && Array.isArray(schema.enum)) {
      if (!schema.enum.includes(null)) schema.enum = [...(schema.enum as unknown[]), null];
    }
    const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
    const attributeType = properties?.attribute_type?.enum;
    if (Array.isArray(attributeType) && attributeType.length === 1 && attributeType[0] === 'timestamp') {
      if (properties?.value?.format === 'date') properties.value.format = 'date-time';
    }
    Object.values(schema).forEach(visit);
  };
  visit(definition);
}
