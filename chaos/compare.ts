/**
 * Attio compared with Asana, record by record. The expected state is computed the way the service computes it: each
 * resource is read from the Asana stand-in through the API with the service's own activity and mapped with
 * mapping/map-asana-to-attio.ts; the actual state is what the Attio stand-in holds. A resource differs when any
 * mapped field differs, when it is missing, or when its tombstone is wrong.
 *
 * Acknowledged-but-lost counts the deliveries Asana saw answered 200 that name a resource still differing: the
 * receiver said "recorded" and the change never reached Attio.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { createAsanaActivities } from '../activities/asana';
import { AsanaClient } from '../asana/client';
import { ASANA_ERRORS } from '../common/error-types';
import { TOMBSTONE, type MappedResource } from '../mapping/map-asana-to-attio';
import type { AsanaResourceRef } from '../workflows/definitions';
import { CHECKER_ASANA_TOKEN, type ChaosStack } from './stack';

export interface Difference {
  kind: MappedResource['kind'];
  gid: string;
  what: string;
}

export interface Comparison {
  resources: number;
  differences: Difference[];
  acknowledgedButLost: number;
}

type Values = Record<string, unknown[]>;

/** Attio's plain values next to the mapped ones: timestamps compared as instants, everything else as JSON. */
function sameValue(expected: unknown[], actual: unknown[] | undefined): boolean {
  const normal = (v: unknown) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(Date.parse(v)).toISOString() : v;
  return JSON.stringify(expected.map(normal)) === JSON.stringify((actual ?? []).map(normal));
}

function fieldDifferences(expected: Values, actual: Values | undefined, where: string): string[] {
  if (!actual) return [`${where} missing`];
  return Object.entries(expected)
    .filter(([key, value]) => !sameValue(value, actual[key]))
    .map(([key, value]) => `${where}.${key}: expected ${JSON.stringify(value)}, found ${JSON.stringify(actual[key])}`);
}

const tombstoned = (values: Values | undefined) => values?.[TOMBSTONE.flag]?.[0] === true;

/**
 * The checker reads Asana with its own token, under the same 1,500/min budget as a real app: a large scene compared
 * more than once a minute meets a 429. Wait as Asana says and read again (bounded), as the worker's retries would.
 */
async function readWithinAsanaBudget<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const rateLimited = error instanceof ApplicationFailure && error.type === ASANA_ERRORS.rateLimited;
      if (!rateLimited || attempt >= 5) throw error;
      const waitMs = typeof error.nextRetryDelay === 'number' ? error.nextRetryDelay : 1_000;
      await sleep(Math.min(waitMs, 65_000));
    }
  }
}

export async function compareAttioWithAsana(stack: ChaosStack): Promise<Comparison> {
  const { asana, attio, fieldMap, scene } = stack;
  const read = createAsanaActivities({
    asana: new AsanaClient({ baseUrl: asana.url, token: CHECKER_ASANA_TOKEN }),
    fieldMap,
    receiverPublicUrl: stack.receiverUrl,
  });
  const refs: AsanaResourceRef[] = [
    ...[...asana.store.projects.keys()].map((gid) => ({ gid, resource_type: 'project' as const })),
    ...[...asana.store.sections.values()]
      .filter((s) => s.project === scene.salesProjectGid)
      .map((s) => ({ gid: s.gid, resource_type: 'section' as const })),
    ...[...asana.store.tasks.keys()].map((gid) => ({ gid, resource_type: 'task' as const })),
  ];

  const byGid = <R extends { values: Values }>(records: R[]) =>
    new Map(records.map((r) => [String(r.values.asana_gid?.[0]), r]));
  const projects = byGid(attio.records(fieldMap.projects.object));
  const sections = byGid(attio.records(fieldMap.sections.object));
  const taskRecords = byGid(attio.records(fieldMap.salesTasks.parentObject));
  const entries = new Map(attio.entries(fieldMap.salesTasks.list).map((e) => [e.parentRecordId, e]));
  const stages = new Map(
    attio
      .choices('lists', fieldMap.salesTasks.list, fieldMap.salesTasks.stageAttribute)
      .map((status) => [status.id, status]),
  );

  const differences: Difference[] = [];
  for (const ref of refs) {
    const mapped = await readWithinAsanaBudget(() => read.fetchAsanaResourceForAttio(ref));
    const found: string[] = [];
    switch (mapped.kind) {
      case 'project': {
        const record = projects.get(mapped.gid)?.values;
        if (mapped.state === 'present') found.push(...fieldDifferences(mapped.values, record, 'record'));
        else if (record && !tombstoned(record)) found.push('deleted in Asana, not tombstoned in Attio');
        break;
      }
      case 'section': {
        const record = sections.get(mapped.gid)?.values;
        if (mapped.state === 'present') {
          found.push(...fieldDifferences({ name: [mapped.name], [TOMBSTONE.flag]: [false] }, record, 'section'));
          const stage = stages.get(String(record?.stage_status_id?.[0]));
          if (record && stage?.title !== mapped.name) {
            found.push(`stage titled ${JSON.stringify(stage?.title)}, expected ${JSON.stringify(mapped.name)}`);
          }
        } else if (mapped.state === 'deleted' && record && !tombstoned(record)) {
          found.push('section deleted in Asana, not tombstoned in Attio');
        }
        break;
      }
      case 'task': {
        const record = taskRecords.get(mapped.gid);
        const entry = record ? entries.get(record.recordId)?.values : undefined;
        if (mapped.state === 'present') {
          found.push(...fieldDifferences(mapped.recordValues, record?.values, 'record'));
          const expectedEntry: Values = {
            ...mapped.entryValues,
            [fieldMap.salesTasks.stageAttribute]: mapped.stage ? [mapped.stage.name] : [],
          };
          found.push(...fieldDifferences(expectedEntry, entry, 'entry'));
        } else if (entry && !tombstoned(entry)) {
          found.push(`task ${mapped.state} in Asana, its Sales Task entry not tombstoned`);
        }
        break;
      }
    }
    if (found.length > 0) differences.push({ kind: mapped.kind, gid: mapped.gid, what: found.join('; ') });
  }

  const differing = new Set(differences.map((d) => d.gid));
  const acknowledgedButLost = asana.webhooks.deliveries.filter(
    (d) => d.status === 200 && d.resourceGids.some((gid) => differing.has(gid)),
  ).length;
  return { resources: refs.length, differences, acknowledgedButLost };
}
