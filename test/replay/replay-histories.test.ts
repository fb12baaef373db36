/**
 * Replays the recorded histories of the long-lived workflows (test/fixtures/histories/, written by `npm run
 * record-histories`) against today's workflow code, without a server: a change that would break a running watch,
 * sync or backfill on deploy fails here. A deliberately altered workflow proves the check can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, type WorkflowBundle, Worker } from '@temporalio/worker';
import { loadConfig } from '../../common/config';
import { createDataConverter } from '../../common/temporal-connection';
import { workflowsPath } from '../../workers/workflows-path';
import { historyFromFile } from '../helpers/history-files';

const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');
const histories = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));
const history = (file: string) => historyFromFile(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
// Recorded with the demo key (tests run in demo mode), which the demo configuration also uses.
const dataConverter = createDataConverter(loadConfig({}));
const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let current: WorkflowBundle;
beforeAll(async () => {
  current = await bundleWorkflowCode({ workflowsPath, logger: quiet });
}, 120_000);

test('there is a recorded history of each long-lived workflow, from before and after each of its patches', () => {
  expect(histories.sort()).toEqual([
    // Lockstep batches of writes; a page of writes in a sliding window (SLIDING_WRITES_PATCH).
    'backfill-sliding-writes.json',
    'backfill.json',
    'sync-asana-resource.json',
    // The Events API read in one activity; one page per activity (ONE_EVENTS_PAGE_PER_ACTIVITY_PATCH).
    'watch-asana-resource-events-by-page.json',
    'watch-asana-resource.json',
  ]);
});

test.each(histories)('%s replays against the current workflows', async (file) => {
  await Worker.runReplayHistory({ workflowBundle: current, dataConverter, replayName: file }, history(file));
});

test('a watch workflow changed in a way its history cannot replay is caught', async () => {
  const altered = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'altered-workflows.ts'), logger: quiet });
  await expect(
    Worker.runReplayHistory({ workflowBundle: altered, dataConverter }, history('watch-asana-resource.json')),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
}, 120_000);
