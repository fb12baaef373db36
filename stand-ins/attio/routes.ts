/**
 * The Attio v2 operations the stand-in serves, by method and path (attio_openapi.json `paths`). An operation not
 * listed answers 404 "Could not find endpoint …", as Attio does for an unknown method and path.
 */
import { badRequest } from './errors';
import type { Actor } from './model';
import type { AttioWorkspace, Target } from './workspace';

export interface RouteContext {
  workspace: AttioWorkspace;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  actor: Actor;
  token: string;
  /** When the stand-in started, in seconds (the token's `iat`). */
  issuedAt: number;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handle: (ctx: RouteContext) => unknown;
}

const routes: Route[] = [];

function route(method: string, path: string, handle: Route['handle']) {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  routes.push({ method, pattern, names, handle });
}

export function matchRoute(method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1]!)));
    if (params.target !== undefined && params.target !== 'objects' && params.target !== 'lists') continue;
    return { params, handle: (ctx: Omit<RouteContext, 'params'>) => candidate.handle({ ...ctx, params }) };
  }
  return undefined;
}

/** Query parameters as the spec types them (integer, boolean); anything else is a 400. */
function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) {
    throw badRequest('validation_type', 'Query parameter validation error.', [
      {
        code: 'invalid_type',
        path: [name],
        message: `Expected a non-negative integer, received "${raw}"`,
        expected: 'integer',
        received: 'string',
      },
    ]);
  }
  return Number(raw);
}

function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') {
    throw badRequest('validation_type', 'Query parameter validation error.', [
      {
        code: 'invalid_type',
        path: [name],
        message: `Expected true or false, received "${raw}"`,
        expected: 'boolean',
        received: 'string',
      },
    ]);
  }
  return raw === 'true';
}

const target = (ctx: RouteContext) => ctx.params.target as Target;
const p = (ctx: RouteContext, name: string) => ctx.params[name]!;

route('GET', '/v2/self', (ctx) => ctx.workspace.self(ctx.token, ctx.issuedAt));

route('GET', '/v2/objects', (ctx) => ctx.workspace.listObjects());
route('POST', '/v2/objects', (ctx) => ctx.workspace.createObject(ctx.body));
route('GET', '/v2/objects/{object}', (ctx) => ctx.workspace.getObject(p(ctx, 'object')));
route('PATCH', '/v2/objects/{object}', (ctx) => ctx.workspace.patchObject(p(ctx, 'object'), ctx.body));

route('GET', '/v2/{target}/{identifier}/attributes', (ctx) =>
  ctx.workspace.listAttributes(target(ctx), p(ctx, 'identifier'), {
    limit: integerParam(ctx.query, 'limit'),
    offset: integerParam(ctx.query, 'offset'),
    showArchived: booleanParam(ctx.query, 'show_archived'),
  }),
);
route('POST', '/v2/{target}/{identifier}/attributes', (ctx) =>
  ctx.workspace.createAttribute(target(ctx), p(ctx, 'identifier'), ctx.body),
);
route('GET', '/v2/{target}/{identifier}/attributes/{attribute}', (ctx) =>
  ctx.workspace.getAttribute(target(ctx), p(ctx, 'identifier'), p(ctx, 'attribute')),
);
route('PATCH', '/v2/{target}/{identifier}/attributes/{attribute}', (ctx) =>
  ctx.workspace.patchAttribute(target(ctx), p(ctx, 'identifier'), p(ctx, 'attribute'), ctx.body),
);
route('GET', '/v2/{target}/{identifier}/attributes/{attribute}/options', (ctx) =>
  ctx.workspace.listOptions(
    target(ctx),
    p(ctx, 'identifier'),
    p(ctx, 'attribute'),
    booleanParam(ctx.query, 'show_archived'),
  ),
);
route('POST', '/v2/{target}/{identifier}/attributes/{attribute}/options', (ctx) =>
  ctx.workspace.createOption(target(ctx), p(ctx, 'identifier'), p(ctx, 'attribute'), ctx.body),
);
route('PATCH', '/v2/{target}/{identifier}/attributes/{attribute}/options/{option}', (ctx) =>
  ctx.workspace.patchOption(target(ctx), p(ctx, 'identifier'), p(ctx, 'attribute'), p(ctx, 'option'), ctx.body),
);
route('GET', '/v2/{target}/{identifier}/attributes/{attribute}/statuses', (ctx) =>
  ctx.workspace.listStatuses(
    target(ctx),
    p(ctx, 'identifier'),
    p(ctx, 'attribute'),
    booleanParam(ctx.query, 'show_archived'),
  ),
);
route('POST', '/v2/{target}/{identifier}/attributes/{attribute}/statuses', (ctx) =>
  ctx.workspace.createStatus(target(ctx), p(ctx, 'identifier'), p(ctx, 'attribute'), ctx.body),
);
route('PATCH', '/v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}', (ctx) =>
  ctx.workspace.patchStatus(target(ctx), p(ctx, 'identifier'), p(ctx, 'attribute'), p(ctx, 'status'), ctx.body),
);

route('POST', '/v2/objects/{object}/records/query', (ctx) => ctx.workspace.queryRecords(p(ctx, 'object'), ctx.body));
route('POST', '/v2/objects/{object}/records', (ctx) =>
  ctx.workspace.createRecord(p(ctx, 'object'), ctx.body, ctx.actor),
);
route('PUT', '/v2/objects/{object}/records', (ctx) =>
  ctx.workspace.assertRecord(p(ctx, 'object'), ctx.query.get('matching_attribute') ?? undefined, ctx.body, ctx.actor),
);
route('GET', '/v2/objects/{object}/records/{record_id}', (ctx) =>
  ctx.workspace.getRecord(p(ctx, 'object'), p(ctx, 'record_id')),
);
route('PATCH', '/v2/objects/{object}/records/{record_id}', (ctx) =>
  ctx.workspace.updateRecord(p(ctx, 'object'), p(ctx, 'record_id'), ctx.body, 'append', ctx.actor),
);
route('PUT', '/v2/objects/{object}/records/{record_id}', (ctx) =>
  ctx.workspace.updateRecord(p(ctx, 'object'), p(ctx, 'record_id'), ctx.body, 'overwrite', ctx.actor),
);
route('DELETE', '/v2/objects/{object}/records/{record_id}', (ctx) =>
  ctx.workspace.deleteRecord(p(ctx, 'object'), p(ctx, 'record_id')),
);
route('GET', '/v2/objects/{object}/records/{record_id}/entries', (ctx) =>
  ctx.workspace.recordEntries(p(ctx, 'object'), p(ctx, 'record_id'), {
    limit: integerParam(ctx.query, 'limit'),
    offset: integerParam(ctx.query, 'offset'),
  }),
);

route('GET', '/v2/lists', (ctx) => ctx.workspace.listLists());
route('POST', '/v2/lists', (ctx) => ctx.workspace.createList(ctx.body, ctx.actor));
route('GET', '/v2/lists/{list}', (ctx) => ctx.workspace.getList(p(ctx, 'list')));
route('PATCH', '/v2/lists/{list}', (ctx) => ctx.workspace.patchList(p(ctx, 'list'), ctx.body));

route('POST', '/v2/lists/{list}/entries/query', (ctx) => ctx.workspace.queryEntries(p(ctx, 'list'), ctx.body));
route('POST', '/v2/lists/{list}/entries', (ctx) => ctx.workspace.createEntry(p(ctx, 'list'), ctx.body, ctx.actor));
route('PUT', '/v2/lists/{list}/entries', (ctx) => ctx.workspace.assertEntry(p(ctx, 'list'), ctx.body, ctx.actor));
route('GET', '/v2/lists/{list}/entries/{entry_id}', (ctx) =>
  ctx.workspace.getEntry(p(ctx, 'list'), p(ctx, 'entry_id')),
);
route('PATCH', '/v2/lists/{list}/entries/{entry_id}', (ctx) =>
  ctx.workspace.updateEntry(p(ctx, 'list'), p(ctx, 'entry_id'), ctx.body, 'append', ctx.actor),
);
route('PUT', '/v2/lists/{list}/entries/{entry_id}', (ctx) =>
  ctx.workspace.updateEntry(p(ctx, 'list'), p(ctx, 'entry_id'), ctx.body, 'overwrite', ctx.actor),
);
route('DELETE', '/v2/lists/{list}/entries/{entry_id}', (ctx) =>
  ctx.workspace.deleteEntry(p(ctx, 'list'), p(ctx, 'entry_id')),
);

route('POST', '/v2/notes', (ctx) => ctx.workspace.createNote(ctx.body, ctx.actor));
route('GET', '/v2/notes', (ctx) =>
  ctx.workspace.listNotes({
    limit: integerParam(ctx.query, 'limit'),
    offset: integerParam(ctx.query, 'offset'),
    parentObject: ctx.query.get('parent_object') ?? undefined,
    parentRecordId: ctx.query.get('parent_record_id') ?? undefined,
  }),
);
route('GET', '/v2/notes/{note_id}', (ctx) => ctx.workspace.getNote(p(ctx, 'note_id')));
route('DELETE', '/v2/notes/{note_id}', (ctx) => ctx.workspace.deleteNote(p(ctx, 'note_id')));
