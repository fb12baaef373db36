import { failureMessage } from '../common/failure-message';
import { asanaActivities, attioActivities } from './activity-queues';
import type { CheckConnectionsInput, CheckConnectionsResult, ConnectionCheck } from './definitions';
import { checkConnectionsInput, validateWorkflowInput } from './inputs';

// A connectivity check should answer fast and report, not wait out a long outage: three attempts, then say why.
const checkOptions = { startToCloseTimeout: '15s', retry: { maximumAttempts: 3, initialInterval: '1s' } } as const;

/**
 * Checks that the configured Asana and Attio credentials work, through the same task queues as the sync.
 * Started by the demo at start-up and by `cli check`; the result lists each system with the reason it failed.
 */
export async function checkConnections(input: CheckConnectionsInput = {}): Promise<CheckConnectionsResult> {
  validateWorkflowInput('checkConnections', checkConnectionsInput, input);
  const asana = asanaActivities(checkOptions);
  const attio = attioActivities(checkOptions);
  const systems = input.systems ?? ['asana', 'attio'];
  const results = await Promise.all(
    systems.map(async (system): Promise<ConnectionCheck> => {
      try {
        const identity = system === 'asana' ? await asana.checkAsanaConnection() : await attio.checkAttioConnection();
        return { system, ok: true, identity };
      } catch (error) {
        return { system, ok: false, error: failureMessage(error) };
      }
    }),
  );
  return { checks: results, ok: results.every((r) => r.ok) };
}
