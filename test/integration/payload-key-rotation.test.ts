/**
 * Rotating PAYLOAD_ENCRYPTION_KEY: history written with key A stays readable after the service moves to key B with A
 * kept in PAYLOAD_ENCRYPTION_PREVIOUS_KEYS, through the client and through the codec server, while new history is
 * written with B only.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCodecServerApp } from '../../common/codec-server';
import type { Config } from '../../common/config';
import { listen } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { createDataConverter, createPayloadCodec } from '../../common/temporal-connection';
import { temporalTestAddress, testConfig, uniqueTaskQueues } from '../helpers/temporal';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const beforeRotation = testConfig({ PAYLOAD_ENCRYPTION_KEY: keyA });
const afterRotation = testConfig({ PAYLOAD_ENCRYPTION_KEY: keyB, PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: keyA });
const withoutPrevious = testConfig({ PAYLOAD_ENCRYPTION_KEY: keyB });
// No worker polls this queue: starting, describing and reading history need none.
const queue = uniqueTaskQueues('key-rotation').sync;
const clients: Client[] = [];

async function clientFor(config: Config): Promise<Client> {
  const connection = await Connection.connect({ address: temporalTestAddress() });
  const client = new Client({ connection, dataConverter: createDataConverter(config) });
  clients.push(client);
  return client;
}

afterAll(async () => {
  for (const client of clients) await client.connection.close();
});

const ProtoPayload = temporal.api.common.v1.Payload;
const keyIdOf = (payload: Payload) => Buffer.from(payload.metadata!['encryption-key-id']!).toString();

test('history written with the previous key reads through the client and the codec server after a rotation', async () => {
  const gidA = `13${Date.now()}`.slice(0, 16);
  const gidB = String(BigInt(gidA) + 1n);
  const start = async (client: Client, gid: string, note: string) => {
    const handle = await client.workflow.start('backfill', {
      taskQueue: queue,
      workflowId: `key-rotation-${gid}`,
      args: [{ projectGids: [gid] }],
      memo: { note },
      staticSummary: `Backfill Asana project ${gid} into Attio`,
    });
    return handle.workflowId;
  };
  const writtenWithA = await start(await clientFor(beforeRotation), gidA, 'written with key A');
  const rotated = await clientFor(afterRotation);
  const writtenWithB = await start(rotated, gidB, 'written with key B');

  try {
    // Through the client: memo and summary of both runs decode.
    for (const [workflowId, gid, note] of [
      [writtenWithA, gidA, 'written with key A'],
      [writtenWithB, gidB, 'written with key B'],
    ] as const) {
      const description = await rotated.workflow.getHandle(workflowId).describe();
      expect(description.memo).toEqual({ note });
      expect(await description.staticSummary()).toBe(`Backfill Asana project ${gid} into Attio`);
    }

    // The stored inputs: A's run under key A's id, B's under B's, and the codec server reads both.
    const inputOf = async (workflowId: string) => {
      const { events } = await rotated.workflow.getHandle(workflowId).fetchHistory();
      return events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    };
    const [inputA, inputB] = [await inputOf(writtenWithA), await inputOf(writtenWithB)];
    expect(keyIdOf(inputA)).not.toBe(keyIdOf(inputB));

    const codecServer = await listen(
      createCodecServerApp({
        codec: createPayloadCodec(afterRotation),
        allowedOrigins: [],
        logger: createLogger({ level: 'fatal', format: 'json' }),
      }),
      0,
      '127.0.0.1',
      'CODEC_SERVER_PORT',
    );
    try {
      const toJson = (p: Payload) => ProtoPayload.toObject(ProtoPayload.fromObject(p), { bytes: String });
      const response = await fetch(`http://127.0.0.1:${codecServer.port}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [toJson(inputA), toJson(inputB)] }),
      });
      expect(response.status).toBe(200);
      const { payloads } = (await response.json()) as { payloads: object[] };
      expect(payloads.map((p) => defaultPayloadConverter.fromPayload(ProtoPayload.fromObject(p)))).toEqual([
        { projectGids: [gidA] },
        { projectGids: [gidB] },
      ]);
    } finally {
      await codecServer.close();
    }

    // Without the previous key, key A's history is unreadable, and the error says what to set.
    const forgetful = await clientFor(withoutPrevious);
    await expect(forgetful.workflow.getHandle(writtenWithA).describe()).rejects.toThrow(
      /unknown key id .*PAYLOAD_ENCRYPTION_PREVIOUS_KEYS/,
    );
  } finally {
    for (const workflowId of [writtenWithA, writtenWithB]) {
      await rotated.workflow.getHandle(workflowId).terminate('test over');
    }
  }
});
