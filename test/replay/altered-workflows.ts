/**
 * The workflows as they would be after a careless change: the watch workflow starts with a timer it did not have
 * when its history was recorded. Bundled only by test/replay/replay-histories.test.ts, to prove that replay catches
 * such a change.
 */
import { sleep } from '@temporalio/workflow';
import type { WatchAsanaResourceInput } from '../../workflows/definitions';
import { watchAsanaResource as recordedWatch } from '../../workflows/watch-asana-resource';

export async function watchAsanaResource(input: WatchAsanaResourceInput): Promise<void> {
  await sleep('1s');
  return recordedWatch(input);
}
