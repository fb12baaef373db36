import { Writable } from 'node:stream';
import { createLogger, REDACTED } from '../../common/logger';
import { temporalLoggerFor } from '../../workers/runtime-logging';

const SECRETS = {
  asanaToken: '2/1200000000000001/1209999999999999:feedfacefeedfacefeedface',
  attioToken: 'attio-secret-token-abcdef0123456789',
  hookSecret: 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81',
  signature: '6a1ec1c9d1e8e1e0c3b6d1e9b5b0b4f0a2c3d4e5f60718293a4b5c6d7e8f9012',
  oauthSecret: 'oauth-client-secret-9f8e7d6c5b4a',
};

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, destination, text: () => lines.join('') };
}

describe('logger redaction', () => {
  test('no secret reaches the output, whether as a field, a header, nested, in a message or in an error', () => {
    const out = capture();
    const logger = createLogger({
      format: 'json',
      level: 'trace',
      destination: out.destination,
      secrets: [SECRETS.asanaToken, SECRETS.attioToken],
    });

    logger.info({ token: SECRETS.asanaToken, attio: { accessToken: SECRETS.attioToken } }, 'fields');
    logger.info(
      {
        headers: {
          authorization: `Bearer ${SECRETS.asanaToken}`,
          'x-hook-secret': SECRETS.hookSecret,
          'X-Hook-Signature': SECRETS.signature,
        },
      },
      'headers',
    );
    logger.info({ webhook: { secret: SECRETS.hookSecret, clientSecret: SECRETS.oauthSecret } }, 'nested');
    logger.warn(`calling Asana with ${SECRETS.asanaToken} failed`);
    logger.warn('request sent Authorization: Bearer abc.def-ghi_jkl');
    logger.error({ err: new Error(`Attio said no to ${SECRETS.attioToken}`) }, 'error');
    logger.child({ token: SECRETS.asanaToken }).info('child bindings');

    const text = out.text();
    expect(out.lines).toHaveLength(7);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('abc.def-ghi_jkl');
    expect(text).toContain(REDACTED);
  });

  test('keeps ordinary fields readable', () => {
    const out = capture();
    createLogger({ format: 'json', destination: out.destination }).info(
      { gid: '1201234567890', action: 'changed' },
      'asana delivery recorded',
    );
    expect(JSON.parse(out.text())).toMatchObject({
      gid: '1201234567890',
      action: 'changed',
      msg: 'asana delivery recorded',
    });
  });

  test('routes the Temporal Runtime logger into pino with the same redaction', () => {
    const out = capture();
    const logger = createLogger({
      format: 'json',
      level: 'debug',
      destination: out.destination,
      secrets: [SECRETS.attioToken],
    });
    const temporal = temporalLoggerFor(logger);
    temporal.info('activity failed', { workflowId: 'asana-sync-task-1', detail: `token ${SECRETS.attioToken}` });
    temporal.warn('with a header', { headers: { authorization: 'Bearer zzzzzzzzzzzz' } });
    const [first, second] = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({
      component: 'temporal',
      msg: 'activity failed',
      workflowId: 'asana-sync-task-1',
      level: 30,
    });
    expect(second).toMatchObject({ level: 40, headers: { authorization: REDACTED } });
    expect(out.text()).not.toContain(SECRETS.attioToken);
  });

  test('the SDK warning about activity-only workers is debug detail; other warnings keep their level', () => {
    const out = capture();
    const temporal = temporalLoggerFor(createLogger({ format: 'json', level: 'debug', destination: out.destination }));
    temporal.warn('No workflows registered, not polling for workflow tasks', { sdkComponent: 'worker' });
    temporal.warn('Activity failed', { sdkComponent: 'worker' });
    const levels = out.lines.map((line) => (JSON.parse(line) as { msg: string; level: number }).level);
    expect(levels).toEqual([20, 40]);
  });
});
