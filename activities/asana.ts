/**
 * Activities that call Asana (run on the `asana` task queue, whose server-side rate limit keeps every worker together
 * under Asana's requests-per-minute budget).
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { AsanaClient } from '../asana/client';
import { asanaFailure } from '../asana/errors';
import { ASANA_ERRORS, SYNC_ERRORS } from '../common/error-types';
import { isServiceTarget, targetWithoutQuery, webhookTargetUrl } from '../common/webhook-targets';
import { AsanaProject, AsanaSection, AsanaTask, OPT_FIELDS } from '../mapping/asana-resources';
import type { FieldMap } from '../mapping/field-map';
import {
  mapDeleted,
  mapProject,
  mapSection,
  mapTask,
  type MappedResource,
  withinBackfillHistory,
} from '../mapping/map-asana-to-attio';
import {
  type AsanaResourceRef,
  type ListedAsanaWebhook,
  type StageSection,
  SYNCED_RESOURCE_TYPES,
  type WatchAsanaResourceInput,
} from '../workflows/definitions';
import type { WebhookInspection } from '../workflows/webhook-health';

export interface AsanaActivityDependencies {
  asana: AsanaClient;
  fieldMap: FieldMap;
  /** The receiver's public base URL, for webhook targets. */
  receiverPublicUrl: string;
}

const PATHS = { project: 'projects', section: 'sections', task: 'tasks' } as const;
const SectionPage = z.looseObject({
  data: z.array(z.unknown()),
  next_page: z.looseObject({ offset: z.string() }).nullish(),
});

const SCHEMAS = { project: AsanaProject, section: AsanaSection, task: AsanaTask } as const;

const isNotFound = (error: unknown) => error instanceof ApplicationFailure && error.type === ASANA_ERRORS.notFound;

const CreatedWebhook = z.looseObject({
  data: z.looseObject({ gid: z.string() }),
  'X-Hook-Secret': z.string().min(1),
});
const ListedWebhook = z.looseObject({
  gid: z.string(),
  target: z.string(),
  resource: z.looseObject({ gid: z.string(), resource_type: z.string() }),
  active: z.boolean().nullish(),
  created_at: z.string().nullish(),
  last_success_at: z.string().nullish(),
  last_failure_at: z.string().nullish(),
});
const WebhookList = z.looseObject({
  data: z.array(ListedWebhook),
  next_page: z.looseObject({ offset: z.string() }).nullish(),
});
/** At 100 a page, 10,000 webhooks: far more than one workspace's watches. */
const MAX_WEBHOOK_PAGES = 100;

const WebhookDetails = z.looseObject({
  data: z.looseObject({
    gid: z.string(),
    active: z.boolean().nullish(),
    created_at: z.string().nullish(),
    last_success_at: z.string().nullish(),
    last_failure_at: z.string().nullish(),
    last_failure_content: z.string().nullish(),
    delivery_retry_count: z.number().nullish(),
    next_attempt_after: z.string().nullish(),
    failure_deletion_timestamp: z.string().nullish(),
    target: z.string().nullish(),
    resource: z.looseObject({ gid: z.string() }).nullish(),
  }),
});
export type { WebhookInspection };

const EventsPage = z.looseObject({
  data: z.array(z.looseObject({ resource: z.looseObject({ gid: z.string(), resource_type: z.string() }) })),
  sync: z.string(),
  has_more: z.boolean().nullish(),
});

const Page = z.looseObject({
  data: z.array(z.looseObject({ gid: z.string() })),
  next_page: z.looseObject({ offset: z.string() }).nullish(),
});

/** The target without its query (generation, registration): every webhook of one resource shares it. */
const targetBase = targetWithoutQuery;

export function createAsanaActivities(deps: AsanaActivityDependencies) {
  const { asana } = deps;

  /** Every webhook of the workspace (of one resource, if given) as GET /webhooks lists them, all pages. */
  async function listWebhooks(workspaceGid: string, resourceGid?: string): Promise<z.infer<typeof ListedWebhook>[]> {
    const found: z.infer<typeof ListedWebhook>[] = [];
    let offset: string | undefined;
    for (let page = 0; page < MAX_WEBHOOK_PAGES; page += 1) {
      const body = WebhookList.parse(
        await asana.call('GET', '/webhooks', {
          workspace: workspaceGid,
          ...(resourceGid ? { resource: resourceGid } : {}),
          limit: 100,
          offset,
          opt_fields: 'active,resource,target,created_at,last_success_at,last_failure_at',
        }),
      );
      found.push(...body.data);
      offset = body.next_page?.offset;
      if (!offset) return found;
    }
    throw ApplicationFailure.nonRetryable(
      `more than ${MAX_WEBHOOK_PAGES * 100} webhooks in workspace ${workspaceGid}`,
      SYNC_ERRORS.configuration,
    );
  }

  /** Our webhooks at this resource's target, whatever their generation. */
  async function webhooksAt(workspaceGid: string, resourceGid: string, target: string): Promise<string[]> {
    return (await listWebhooks(workspaceGid, resourceGid))
      .filter((webhook) => webhook.resource.gid === resourceGid && targetBase(webhook.target) === targetBase(target))
      .map((webhook) => webhook.gid);
  }

  async function deleteWebhook(webhookGid: string): Promise<void> {
    try {
      await asana.call('DELETE', `/webhooks/${webhookGid}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  return {
    /** Returns the gid of the user the Asana token belongs to. */
    async checkAsanaConnection(): Promise<string> {
      return (await asana.getMe()).gid;
    },

    /**
     * Fetches the current state of an Asana resource with exactly the fields the mapping needs, and maps it to the
     * Attio write. A resource Asana no longer has (404) maps to its tombstone.
     */
    async fetchAsanaResourceForAttio(ref: AsanaResourceRef): Promise<MappedResource> {
      let body: unknown;
      try {
        body = await asana.call('GET', `/${PATHS[ref.resource_type]}/${ref.gid}`, {
          opt_fields: OPT_FIELDS[ref.resource_type].join(','),
        });
      } catch (error) {
        if (isNotFound(error)) return mapDeleted(ref.resource_type, ref.gid);
        throw error;
      }
      const { data } = z.object({ data: z.unknown() }).parse(body);
      switch (ref.resource_type) {
        case 'project':
          return mapProject(SCHEMAS.project.parse(data), deps.fieldMap);
        case 'section':
          return mapSection(SCHEMAS.section.parse(data), deps.fieldMap);
        case 'task':
          return mapTask(SCHEMAS.task.parse(data), deps.fieldMap);
      }
    },

    /**
     * Creates the webhook of a watched resource. Asana performs the handshake with our receiver while this request
     * is in flight; the target carries the registration's single-use token, so the receiver echoes only handshakes
     * of this registration. With `replaceStale`, webhooks left at this resource's target by an earlier watch or an
     * attempt whose answer never arrived are deleted first (all but `keepWebhookGid`, the one being replaced).
     * Returns the secret of the 201 body, the only one the workflow trusts.
     */
    async createAsanaWebhook(input: {
      resourceGid: string;
      workspaceGid: string;
      generation: number;
      registration: string;
      filters?: WatchAsanaResourceInput['filters'];
      replaceStale: boolean;
      keepWebhookGid?: string;
    }): Promise<{ webhookGid: string; secret: string }> {
      const target = webhookTargetUrl(deps.receiverPublicUrl, input.resourceGid, input.generation, input.registration);
      if (input.replaceStale) {
        for (const stale of await webhooksAt(input.workspaceGid, input.resourceGid, target)) {
          if (stale !== input.keepWebhookGid) await deleteWebhook(stale);
        }
      }
      const body = await asana.call('POST', '/webhooks', undefined, {
        data: { resource: input.resourceGid, target, ...(input.filters ? { filters: input.filters } : {}) },
      });
      const created = CreatedWebhook.parse(body);
      return { webhookGid: created.data.gid, secret: created['X-Hook-Secret'] };
    },

    /** The webhook's delivery health as Asana reports it; `exists: false` once Asana deleted it. */
    async inspectAsanaWebhook(input: { webhookGid: string }): Promise<WebhookInspection> {
      const response = await asana.send('GET', `/webhooks/${input.webhookGid}`, {
        opt_fields:
          'active,created_at,last_success_at,last_failure_at,last_failure_content,delivery_retry_count,next_attempt_after,failure_deletion_timestamp,target,resource',
      });
      if (response.status === 404) return { exists: false };
      if (response.status !== 200) throw asanaFailure(response, `GET /webhooks/${input.webhookGid}`);
      const details = WebhookDetails.parse(response.body).data;
      // The target this worker would register now: a different base means RECEIVER_PUBLIC_URL moved since.
      const expected =
        details.resource && targetBase(webhookTargetUrl(deps.receiverPublicUrl, details.resource.gid, 0, ''));
      const actual = details.target && targetBase(details.target);
      return {
        ...(expected && actual && expected !== actual ? { targetMoved: { from: actual, to: expected } } : {}),
        exists: true,
        active: details.active,
        created_at: details.created_at,
        last_success_at: details.last_success_at,
        last_failure_at: details.last_failure_at,
        last_failure_content: details.last_failure_content,
        delivery_retry_count: details.delivery_retry_count,
        next_attempt_after: details.next_attempt_after,
        failure_deletion_timestamp: details.failure_deletion_timestamp,
      };
    },

    /**
     * Reads the resource's Events API stream from `sync` (up to `maxPages` pages of 100). Returns the distinct synced
     * resources changed since, the token to use next, and whether more events wait beyond `maxPages`. A missing or
     * expired token (412, tokens live at most 24 h) returns `expired: true` with a fresh token: the events in between
     * are lost and need a reconciliation.
     */
    async readAsanaEvents(input: {
      resourceGid: string;
      sync?: string;
      maxPages?: number;
    }): Promise<{ expired: boolean; sync: string; refs: AsanaResourceRef[]; hasMore: boolean }> {
      const refs = new Map<string, AsanaResourceRef>();
      let sync = input.sync;
      let hasMore = false;
      for (let page = 0; page < (input.maxPages ?? 50); page += 1) {
        const response = await asana.send('GET', '/events', { resource: input.resourceGid, ...(sync ? { sync } : {}) });
        if (response.status === 412) {
          const fresh = z.looseObject({ sync: z.string() }).parse(response.body).sync;
          return { expired: true, sync: fresh, refs: [], hasMore: false };
        }
        if (response.status !== 200) throw asanaFailure(response, 'GET /events');
        const events = EventsPage.parse(response.body);
        for (const event of events.data) {
          const type = event.resource.resource_type as AsanaResourceRef['resource_type'];
          if (SYNCED_RESOURCE_TYPES.includes(type))
            refs.set(`${type}:${event.resource.gid}`, { gid: event.resource.gid, resource_type: type });
        }
        sync = events.sync;
        hasMore = events.has_more ?? false;
        if (!hasMore) break;
      }
      return { expired: false, sync: sync!, refs: [...refs.values()], hasMore };
    },

    /**
     * One page of a collection, as gids: a project's tasks (optionally only those modified since a time), a
     * project's sections, or a workspace's or team's projects. `offset` is Asana's opaque token from the previous page.
     */
    async listAsanaPage(input: {
      collection: 'tasks' | 'section-tasks' | 'sections' | 'projects' | 'team-projects';
      parentGid: string;
      modifiedSince?: string;
      offset?: string;
      limit?: number;
    }): Promise<{ gids: string[]; nextOffset?: string }> {
      const limit = input.limit ?? 100;
      const request =
        input.collection === 'tasks'
          ? { path: '/tasks', query: { project: input.parentGid, modified_since: input.modifiedSince } }
          : input.collection === 'section-tasks'
            ? { path: `/sections/${input.parentGid}/tasks`, query: {} }
            : input.collection === 'team-projects'
              ? // GET /projects?team= is deprecated (docs/asana.md §3); the team's own collection is not.
                { path: `/teams/${input.parentGid}/projects`, query: {} }
              : input.collection === 'sections'
                ? { path: `/projects/${input.parentGid}/sections`, query: {} }
                : { path: '/projects', query: { workspace: input.parentGid } };
      const page = Page.parse(
        await asana.call('GET', request.path, { ...request.query, limit, offset: input.offset, opt_fields: 'gid' }),
      );
      return {
        gids: page.data.map((item) => item.gid),
        ...(page.next_page ? { nextOffset: page.next_page.offset } : {}),
      };
    },

    /**
     * One page of a project's tasks or sections, fetched with the mapping's fields and mapped, for backfill and full
     * reconciliation: 100 resources per Asana call. An offset Asana no longer accepts (they expire, 400) comes back as
     * `offsetExpired`, so the caller restarts that collection; writes are idempotent, so nothing is doubled.
     */
    async fetchAsanaPageForAttio(input: {
      collection: 'tasks' | 'sections';
      projectGid: string;
      offset?: string;
      limit?: number;
    }): Promise<{ mapped: MappedResource[]; nextOffset?: string; offsetExpired?: boolean; salesTasksSource: boolean }> {
      const salesTasksSource = deps.fieldMap.salesTasks.sourceProjects.includes(input.projectGid);
      const type = input.collection === 'tasks' ? 'task' : 'section';
      const path = input.collection === 'tasks' ? '/tasks' : `/projects/${input.projectGid}/sections`;
      const response = await asana.send('GET', path, {
        ...(input.collection === 'tasks' ? { project: input.projectGid } : {}),
        limit: input.limit ?? 100,
        offset: input.offset,
        opt_fields: OPT_FIELDS[type].join(','),
      });
      if (response.status === 400 && input.offset) return { mapped: [], offsetExpired: true, salesTasksSource };
      if (response.status !== 200) throw asanaFailure(response, `GET ${path}`);
      const page = z
        .looseObject({ data: z.array(z.unknown()), next_page: z.looseObject({ offset: z.string() }).nullish() })
        .parse(response.body);
      const mapped =
        type === 'task'
          ? page.data
              .map((item) => SCHEMAS.task.parse(item))
              // Tasks older than the scope's backfill.history are not imported; an edit brings one in later.
              .filter((task) => withinBackfillHistory(task, deps.fieldMap))
              .map((task) => mapTask(task, deps.fieldMap))
          : page.data.map((item) =>
              // A section listed under a project may omit its project: it is that project.
              mapSection({ project: { gid: input.projectGid }, ...SCHEMAS.section.parse(item) }, deps.fieldMap),
            );
      return { mapped, salesTasksSource, ...(page.next_page ? { nextOffset: page.next_page.offset } : {}) };
    },

    /** The stage sections of every Sales Tasks source project (scope `salesTasks`), for provisioning's stages. */
    async listAsanaStageSections(): Promise<StageSection[]> {
      const stages: StageSection[] = [];
      for (const projectGid of deps.fieldMap.salesTasks.sourceProjects) {
        const path = `/projects/${projectGid}/sections`;
        let offset: string | undefined;
        do {
          const page = SectionPage.parse(
            await asana.call('GET', path, { limit: 100, offset, opt_fields: OPT_FIELDS.section.join(',') }),
          );
          for (const item of page.data) {
            const mapped = mapSection({ ...SCHEMAS.section.parse(item), project: { gid: projectGid } }, deps.fieldMap);
            if (mapped.kind === 'section' && mapped.state === 'present') {
              stages.push({ gid: mapped.gid, name: mapped.name, projectGid });
            }
          }
          offset = page.next_page?.offset;
        } while (offset);
      }
      return stages;
    },

    /** Every webhook Asana lists for the workspace (GET /webhooks, all pages), for the inventory. */
    async listAsanaWebhooks(input: { workspaceGid: string }): Promise<ListedAsanaWebhook[]> {
      return (await listWebhooks(input.workspaceGid)).map((webhook) => ({
        gid: webhook.gid,
        resourceGid: webhook.resource.gid,
        resourceType: webhook.resource.resource_type,
        target: targetWithoutQuery(webhook.target),
        ours: isServiceTarget(webhook.target),
        ...(typeof webhook.active === 'boolean' ? { active: webhook.active } : {}),
        ...(webhook.created_at ? { createdAt: webhook.created_at } : {}),
        ...(webhook.last_success_at ? { lastSuccessAt: webhook.last_success_at } : {}),
        ...(webhook.last_failure_at ? { lastFailureAt: webhook.last_failure_at } : {}),
      }));
    },

    /** Deletes a webhook; one Asana already deleted counts as done. */
    async deleteAsanaWebhook(input: { webhookGid: string }): Promise<void> {
      await deleteWebhook(input.webhookGid);
    },
  };
}
