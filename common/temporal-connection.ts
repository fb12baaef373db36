import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from './config';
import { DEMO_PAYLOAD_KEY, EncryptionCodec } from './payload-codec';
import { tracingPlugins } from './tracing';

/** The address of the cluster this config uses: TEMPORAL_ADDRESS, else the embedded dev server. */
export const temporalAddress = (config: Config): string =>
  config.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.env.TEMPORAL_PORT}`;

/** The codec that encrypts every payload (common/payload-codec.ts); the codec server decodes with the same one. */
export const createPayloadCodec = (config: Config): EncryptionCodec =>
  EncryptionCodec.fromBase64(
    config.env.PAYLOAD_ENCRYPTION_KEY ?? DEMO_PAYLOAD_KEY,
    config.env.PAYLOAD_ENCRYPTION_PREVIOUS_KEYS ?? [],
  );

/** One data converter for client and worker: every payload is encrypted. */
export const createDataConverter = (config: Config): DataConverter => ({
  payloadCodecs: [createPayloadCodec(config)],
});

export async function connectClient(config: Config, address = temporalAddress(config)): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({
    connection,
    namespace: config.env.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(config),
    plugins: tracingPlugins(),
  });
}
