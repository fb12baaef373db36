/**
 * Creates what the sync writes into in Attio: the projects, sections and task objects with their attributes, and the
 * Sales Tasks list with its stage (status) attribute. Idempotent through the client's `ensure*` calls: read first,
 * create what is missing, read back after a 409 `slug_conflict` (docs/attio.md §5); an existing attribute of
 * the wrong type stops provisioning with a message that names it.
 */
import type { AttioAttributeType, AttioClient, AttributeSpec } from '../attio/client';
import type { CustomFieldMapping, FieldMap } from '../mapping/field-map';
import { SYNC_ATTRIBUTES, SYNC_STATUSES } from './attio-sync-history';
import {
  FINGERPRINT,
  PROJECT_ATTRIBUTES,
  SALES_TASK_ENTRY_ATTRIBUTES,
  SECTION_ATTRIBUTES,
  TASK_RECORD_ATTRIBUTES,
} from '../mapping/map-asana-to-attio';
import type { ProvisionAttioResult } from '../workflows/definitions';

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
    type: type as AttioAttributeType,
    is_unique: api_slug === unique,
  }));

const customFieldSpecs = (mappings: CustomFieldMapping[]): AttributeSpec[] =>
  mappings.map((m) => ({ api_slug: m.attio, title: m.title ?? m.asana, type: m.type }));

const fingerprint: AttributeSpec = { api_slug: FINGERPRINT, title: 'Asana sync fingerprint', type: 'text' };

/** The sync history people read on a record (activities/attio-sync-history.ts). */
const syncHistory: AttributeSpec[] = [
  { api_slug: SYNC_ATTRIBUTES.status, title: 'Asana sync status', type: 'select' },
  { api_slug: SYNC_ATTRIBUTES.syncedAt, title: 'Asana last synced at', type: 'timestamp' },
  { api_slug: SYNC_ATTRIBUTES.error, title: 'Asana last sync error', type: 'text' },
];

export async function provisionAttioFor(attio: AttioClient, map: FieldMap): Promise<ProvisionAttioResult> {
  const created: string[] = [];
  const note = (what: string, ensured: { created: boolean }) => ensured.created && created.push(what);
  const ensureAttributes = async (target: 'objects' | 'lists', identifier: string, specs: AttributeSpec[]) => {
    for (const spec of specs) {
      note(
        `attribute ${identifier}.${spec.api_slug}`,
        await attio.ensureAttribute(target, identifier, { description: 'Written by asana-attio-sync', ...spec }),
      );
    }
  };
  const ensureSyncHistory = async (target: 'objects' | 'lists', identifier: string) => {
    await ensureAttributes(target, identifier, syncHistory);
    for (const title of SYNC_STATUSES) {
      note(
        `option ${identifier}.${SYNC_ATTRIBUTES.status}.${title}`,
        await attio.ensureSelectOption(target, identifier, SYNC_ATTRIBUTES.status, title),
      );
    }
  };

  const { projects, sections, salesTasks, people } = map;
  note(
    `object ${projects.object}`,
    await attio.ensureObject({
      api_slug: projects.object,
      singular_noun: projects.singularNoun,
      plural_noun: projects.pluralNoun,
    }),
  );
  await ensureAttributes('objects', projects.object, [
    ...fromTypes(PROJECT_ATTRIBUTES),
    ...customFieldSpecs(projects.customFields),
    fingerprint,
  ]);
  await ensureSyncHistory('objects', projects.object);

  note(
    `object ${sections.object}`,
    await attio.ensureObject({
      api_slug: sections.object,
      singular_noun: 'Asana section',
      plural_noun: 'Asana sections',
    }),
  );
  await ensureAttributes('objects', sections.object, fromTypes(SECTION_ATTRIBUTES));
  await ensureSyncHistory('objects', sections.object);

  note(
    `object ${salesTasks.parentObject}`,
    await attio.ensureObject({
      api_slug: salesTasks.parentObject,
      singular_noun: 'Asana task',
      plural_noun: 'Asana tasks',
    }),
  );
  await ensureAttributes('objects', salesTasks.parentObject, [...fromTypes(TASK_RECORD_ATTRIBUTES), fingerprint]);

  note(
    `list ${salesTasks.list}`,
    await attio.ensureList({
      api_slug: salesTasks.list,
      name: salesTasks.listName,
      parent_object: salesTasks.parentObject,
    }),
  );
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
  // A task's sync state is on its Sales Task entry: the entry is what every task sync writes.
  await ensureSyncHistory('lists', salesTasks.list);
  return { created };
}
