/**
 * Creates what the sync writes into in Attio: the projects, sections and task objects with their attributes, and the
 * Sales Tasks list with its stage (status) attribute. Idempotent, as Attio's docs suggest: read first, create what is
 * missing, and treat 409 `slug_conflict` as "someone else just created it" (shared/facts/attio.md §5).
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { AttioClient } from '../attio/client';
import { ATTIO_ERRORS } from '../common/error-types';
import type { CustomFieldMapping, FieldMap } from '../mapping/field-map';
import {
  PROJECT_ATTRIBUTES,
  SALES_TASK_ENTRY_ATTRIBUTES,
  SECTION_ATTRIBUTES,
  TASK_RECORD_ATTRIBUTES,
} from '../mapping/map-asana-to-attio';

const FINGERPRINT = 'sync_fingerprint';

type AttributeType = 'text' | 'number' | 'checkbox' | 'date' | 'timestamp' | 'select' | 'status' | 'record-reference';

interface AttributeSpec {
  api_slug: string;
  title: string;
  type: AttributeType;
  is_unique?: boolean;
  is_multiselect?: boolean;
  config?: Record<string, unknown>;
}

const isStatus = (error: unknown, type: string) => error instanceof ApplicationFailure && error.type === type;

const titleOf = (slug: string) =>
  slug
    .split('_')
    .map((word, i) => (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ')
    .replace(/\basana\b/i, 'Asana');

const fromTypes = (types: Record<string, string>, unique = 'asana_gid'): AttributeSpec[] =>
  Object.entries(types).map(([api_slug, type]) => ({
    api_slug,
    title: api_slug === unique ? 'Asana gid' : titleOf(api_slug),
    type: type as AttributeType,
    is_unique: api_slug === unique,
  }));

const customFieldSpecs = (mappings: CustomFieldMapping[]): AttributeSpec[] =>
  mappings.map((m) => ({ api_slug: m.attio, title: m.title ?? m.asana, type: m.type }));

const fingerprint: AttributeSpec = { api_slug: FINGERPRINT, title: 'Asana sync fingerprint', type: 'text' };

export async function provisionAttioFor(attio: AttioClient, map: FieldMap): Promise<{ created: string[] }> {
  const created: string[] = [];

  async function ensureObject(api_slug: string, singular_noun: string, plural_noun: string) {
    try {
      await attio.call('GET', `/v2/objects/${api_slug}`);
      return;
    } catch (error) {
      if (!isStatus(error, ATTIO_ERRORS.notFound)) throw error;
    }
    try {
      await attio.call('POST', '/v2/objects', undefined, { data: { api_slug, singular_noun, plural_noun } });
      created.push(`object ${api_slug}`);
    } catch (error) {
      if (!isStatus(error, ATTIO_ERRORS.conflict)) throw error;
    }
  }

  async function ensureAttributes(target: 'objects' | 'lists', identifier: string, specs: AttributeSpec[]) {
    const body = await attio.call('GET', `/v2/${target}/${identifier}/attributes`, { show_archived: true });
    const existing = new Set(
      z
        .object({ data: z.array(z.looseObject({ api_slug: z.string() })) })
        .parse(body)
        .data.map((a) => a.api_slug),
    );
    for (const spec of specs) {
      if (existing.has(spec.api_slug)) continue;
      try {
        await attio.call('POST', `/v2/${target}/${identifier}/attributes`, undefined, {
          data: {
            title: spec.title,
            description: 'Written by asana-attio-sync',
            api_slug: spec.api_slug,
            type: spec.type,
            is_required: false,
            is_unique: spec.is_unique ?? false,
            is_multiselect: spec.is_multiselect ?? false,
            config: spec.config ?? {},
          },
        });
        created.push(`attribute ${identifier}.${spec.api_slug}`);
      } catch (error) {
        if (!isStatus(error, ATTIO_ERRORS.conflict)) throw error;
      }
    }
  }

  async function ensureList(api_slug: string, name: string, parent_object: string) {
    try {
      await attio.call('GET', `/v2/lists/${api_slug}`);
      return;
    } catch (error) {
      if (!isStatus(error, ATTIO_ERRORS.notFound)) throw error;
    }
    try {
      await attio.call('POST', '/v2/lists', undefined, {
        data: { name, api_slug, parent_object, workspace_access: 'full-access', workspace_member_access: [] },
      });
      created.push(`list ${api_slug}`);
    } catch (error) {
      if (!isStatus(error, ATTIO_ERRORS.conflict)) throw error;
    }
  }

  const { projects, sections, salesTasks, people } = map;
  await ensureObject(projects.object, projects.singularNoun, projects.pluralNoun);
  await ensureAttributes('objects', projects.object, [
    ...fromTypes(PROJECT_ATTRIBUTES),
    ...customFieldSpecs(projects.customFields),
    fingerprint,
  ]);

  await ensureObject(sections.object, 'Asana section', 'Asana sections');
  await ensureAttributes('objects', sections.object, fromTypes(SECTION_ATTRIBUTES));

  await ensureObject(salesTasks.parentObject, 'Asana task', 'Asana tasks');
  await ensureAttributes('objects', salesTasks.parentObject, [...fromTypes(TASK_RECORD_ATTRIBUTES), fingerprint]);

  await ensureList(salesTasks.list, salesTasks.listName, salesTasks.parentObject);
  await ensureAttributes('lists', salesTasks.list, [
    ...fromTypes(SALES_TASK_ENTRY_ATTRIBUTES, ''),
    { api_slug: salesTasks.stageAttribute, title: 'Stage', type: 'status' },
    ...(people.enabled
      ? [
          {
            api_slug: people.attribute,
            title: 'People',
            type: 'record-reference' as const,
            is_multiselect: true,
            config: { record_reference: { allowed_objects: ['people'] } },
          },
        ]
      : []),
    ...customFieldSpecs(salesTasks.customFields),
    fingerprint,
  ]);
  return { created };
}
