import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { failureMessage } from '../../common/failure-message';

const refused = ApplicationFailure.create({ type: 'AttioValidationError', message: 'Attio 400 on PUT …' });

test('an activity failure reads as its cause: the failure type and message', () => {
  const failure = new ActivityFailure(
    'Activity task failed',
    'writeAsanaResourceToAttio',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'worker',
    refused,
  );
  expect(failureMessage(failure)).toBe('AttioValidationError: Attio 400 on PUT …');
});

test('a child workflow failure reads as its cause', () => {
  const failure = new ChildWorkflowFailure(
    'default',
    { workflowId: 'w', runId: 'r' },
    'reconcileProject',
    RetryState.NON_RETRYABLE_FAILURE,
    refused,
  );
  expect(failureMessage(failure)).toBe('AttioValidationError: Attio 400 on PUT …');
});

test('an error without a type reads as its message, anything else as text', () => {
  expect(failureMessage(new Error('socket hang up'))).toBe('socket hang up');
  expect(failureMessage('plain')).toBe('plain');
});
