/**
 * Activities that call Asana (run on the `asana` task queue, whose server-side rate limit keeps every worker together
 * under Asana's requests-per-minute budget).
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { AsanaClient } from '../asana/client';
import { ASANA_ERRORS } from '../common/error-types';
import { webhookTargetUrl } from '../common/webhook-targets';
import { AsanaProject, AsanaSection, AsanaTask, OPT_FIELDS } from '../mapping/asana-resources';
import type { FieldMap } from '../mapping/field-map';
import { mapDeleted, mapProject, mapSection, mapTask, type MappedResource } from '../mapping/map-asana-to-attio';
import type { AsanaResourceRef, WatchAsanaResourceInput } from '../workflows/definitions';

export interface AsanaActivityDependencies {
  asana: AsanaClient;
  fieldMap: FieldMap;
  /** The receiver's public base URL, for webhook targets. */
  receiverPublicUrl: string;
}

const PATHS = { project: 'projects', section: 'sections', task: 'tasks' } as const;
const SCHEMAS = { project: AsanaProject, section: AsanaSection, task: AsanaTask } as const;

const isNotFound = (error: unknown) => error instanceof ApplicationFailure && error.type === ASANA_ERRORS.notFound;

const CreatedWebhook = z.looseObject({
  data: z.looseObject({ gid: z.string() }),
  'X-Hook-Secret': z.string().min(1),
});
const WebhookList = z.looseObject({
  data: z.array(z.looseObject({ gid: z.string(), target: z.string(), resource: z.looseObject({ gid: z.string() }) })),
  next_page: z.looseObject({ offset: z.string() }).nullish(),
});

/** The target without its `generation` query: every generation of one resource's webhook shares it. */
const targetBase = (target: string) => target.split('?')[0];

export function createAsanaActivities(deps: AsanaActivityDependencies) {
  const { asana } = deps;

  /** Our webhooks at this resource's target, whatever their generation. */
  async function webhooksAt(workspaceGid: string, resourceGid: string, target: string): Promise<string[]> {
    const found: string[] = [];
    let offset: string | undefined;
    do {
      const page = WebhookList.parse(
        await asana.call('GET', '/webhooks', {
          workspace: workspaceGid,
          resource: resourceGid,
          limit: 100,
          offset,
          opt_fields: 'target,resource',
        }),
      );
      for (const webhook of page.data) {
        if (webhook.resource.gid === resourceGid && targetBase(webhook.target) === targetBase(target)) {
          found.push(webhook.gid);
        }
      }
      offset = page.next_page?.offset;
    } while (offset);
    return found;
  }

  async function deleteWebhook(webhookGid: string): Promise<void> {
    try {
      await asana.call('DELETE', `/webhooks/${webhookGid}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  return {
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
     * is in flight. With `replaceStale`, webhooks left at this resource's target by an earlier watch are deleted
     * first, since Asana refuses a duplicate resource+target with 403.
     */
    async createAsanaWebhook(input: {
      resourceGid: string;
      workspaceGid: string;
      generation: number;
      filters?: WatchAsanaResourceInput['filters'];
      replaceStale: boolean;
    }): Promise<{ webhookGid: string; secret: string }> {
      const target = webhookTargetUrl(deps.receiverPublicUrl, input.resourceGid, input.generation);
      if (input.replaceStale) {
        for (const stale of await webhooksAt(input.workspaceGid, input.resourceGid, target)) await deleteWebhook(stale);
      }
      const body = await asana.call('POST', '/webhooks', undefined, {
        data: { resource: input.resourceGid, target, ...(input.filters ? { filters: input.filters } : {}) },
      });
      const created = CreatedWebhook.parse(body);
      return { webhookGid: created.data.gid, secret: created['X-Hook-Secret'] };
    },

    /** Deletes a webhook; one Asana already deleted counts as done. */
    async deleteAsanaWebhook(input: { webhookGid: string }): Promise<void> {
      await deleteWebhook(input.webhookGid);
    },
  };
}
