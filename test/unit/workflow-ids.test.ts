import { backfillWorkflowId, reconcileWorkflowId, resyncWorkflowId } from '../../common/workflow-ids';
import { backfillSummary, reconcileSummary, resyncSummary, watchSummary } from '../../common/workflow-summaries';
import type { ResyncInput } from '../../workflows/definitions';

const many = Array.from({ length: 40 }, (_, i) => String(1_200_000_000_000_000 + i));

describe('workflow ids name their scope', () => {
  test('backfills: by workspace, team or projects; a long list stays short yet tells scopes apart', () => {
    expect(backfillWorkflowId({ workspaceGid: '1201' })).toBe('backfill-workspace-1201');
    expect(backfillWorkflowId({ teamGid: '1202' })).toBe('backfill-team-1202');
    expect(backfillWorkflowId({ projectGids: ['1', '2'] })).toBe('backfill-projects-1-2');
    const long = backfillWorkflowId({ projectGids: many });
    expect(long).toMatch(/^backfill-projects-1200000000000000-and-39-more-[0-9a-f]{8}$/);
    expect(backfillWorkflowId({ projectGids: [...many].reverse() })).not.toBe(long);
    expect(backfillWorkflowId({ projectGids: many.slice(0, 39) })).not.toBe(long);
  });

  test.each<[ResyncInput, string]>([
    [{ resources: [{ gid: '11', resource_type: 'task' }] }, 'resync-task-11'],
    [
      {
        resources: [
          { gid: '11', resource_type: 'task' },
          { gid: '12', resource_type: 'task' },
        ],
      },
      'resync-tasks-11-12',
    ],
    [
      {
        resources: [
          { gid: '11', resource_type: 'task' },
          { gid: '13', resource_type: 'section' },
        ],
      },
      'resync-resources-11-13',
    ],
    [{ projectGid: '21' }, 'resync-project-tasks-21'],
    [{ sectionGid: '31' }, 'resync-section-tasks-31'],
    [{ stale: true, projectGids: ['41', '42'] }, 'resync-stale-41-42'],
    [
      { attio: { object: 'asana_tasks', recordIds: ['5b9e1f4e-6a3a-4c38-9d7a-1f0c2b3d4e5f'] } },
      'resync-attio-asana_tasks-5b9e1f4e-6a3a-4c38-9d7a-1f0c2b3d4e5f',
    ],
  ])('resync %j is %s', (input, id) => {
    expect(resyncWorkflowId(input)).toBe(id);
    // Who asked is in the (encrypted) input, never in the plain-text id.
    expect(resyncWorkflowId({ ...input, requestedBy: { source: 'cli' } })).toBe(id);
  });

  test('an operator’s reconciliation: mode, project and the second it was asked for', () => {
    expect(reconcileWorkflowId({ projectGid: '51', mode: 'full' }, new Date('2026-12-01T21:05:09.123Z'))).toBe(
      'reconcile-full-51-20261201T210509',
    );
  });
});

describe('workflow summaries say what and why in words', () => {
  test('each names its resource and purpose, on one line', () => {
    const summaries = [
      backfillSummary({ teamGid: '61' }),
      reconcileSummary({ projectGid: '62', mode: 'incremental' }),
      resyncSummary({ sectionGid: '63' }),
      watchSummary({ resourceGid: '64', resourceType: 'project', workspaceGid: '65' }),
    ];
    expect(summaries.map((s) => s.staticSummary)).toEqual([
      'Backfill every project of Asana team 61 into Attio',
      'Incremental reconciliation of Asana project 62 with Attio',
      'Resync every task of Asana section 63 into Attio',
      'Watch Asana project 64: its webhook and its health',
    ]);
    for (const { staticSummary } of summaries) expect(staticSummary).not.toContain('\n');
  });

  test('never carry who asked beyond the kind of caller', () => {
    const member = '0f0e0d0c-0b0a-4908-8706-050403020100';
    const summary = resyncSummary({
      resources: [{ gid: '71', resource_type: 'task' }],
      requestedBy: { source: 'attio-record-action', workspaceMemberId: member },
    });
    expect(summary.staticDetails).toContain('attio-record-action');
    expect(JSON.stringify(summary)).not.toContain(member);
  });
});
