/**
 * A loopback TCP proxy in front of the Temporal frontend, one per kind of caller (receiver, workers). It makes
 * "Temporal unreachable" a switch (every connection cut, new ones refused) without stopping the server, and it counts
 * the gRPC calls that pass: each call opens an HTTP/2 stream with a HEADERS frame from the client (RFC 9113 §4.1,
 * §8.1), so counting client HEADERS frames counts calls, without decoding them.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const HTTP2_PREFACE_LENGTH = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
const FRAME_HEADER_LENGTH = 9;
const HEADERS_FRAME = 0x1;

/** Counts HEADERS frames in one client-to-server byte stream, across chunk boundaries. */
class CallCounter {
  private buffered: Buffer = Buffer.alloc(0);
  private prefaceLeft = HTTP2_PREFACE_LENGTH;
  private skip = 0;

  constructor(private readonly onCall: () => void) {}

  feed(chunk: Buffer): void {
    let data = chunk;
    if (this.prefaceLeft > 0) {
      const taken = Math.min(this.prefaceLeft, data.length);
      this.prefaceLeft -= taken;
      data = data.subarray(taken);
    }
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, data.length);
      this.skip -= skipped;
      data = data.subarray(skipped);
    }
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data;
    while (this.buffered.length >= FRAME_HEADER_LENGTH) {
      const length = this.buffered.readUIntBE(0, 3);
      const type = this.buffered[3];
      if (type === HEADERS_FRAME) this.onCall();
      const frame = FRAME_HEADER_LENGTH + length;
      if (this.buffered.length >= frame) {
        this.buffered = this.buffered.subarray(frame);
      } else {
        this.skip = frame - this.buffered.length;
        this.buffered = Buffer.alloc(0);
      }
    }
  }
}

export interface TcpProxy {
  /** host:port to give the proxied caller as TEMPORAL_ADDRESS. */
  readonly address: string;
  /** gRPC calls that went through so far. */
  calls(): number;
  /** Cuts every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let calls = 0;
  let cut = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    open.add(client).add(upstream);
    const counter = new CallCounter(() => (calls += 1));
    client.on('data', (chunk: Buffer) => {
      counter.feed(chunk);
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    calls: () => calls,
    cut: () => {
      cut = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore: () => {
      cut = false;
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
