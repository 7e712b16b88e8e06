import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Harness } from './harness.js';

export interface RealServer {
  readonly url: string;
  readonly port: number;
  /** Takes the server off the network: push channels and every connection closed. */
  stop(): Promise<void>;
  /** Serves again on the same port. */
  restart(): Promise<void>;
}

function listen(h: Harness, port: number): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: h.runtime.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
  });
}

/** The harness's app on a real HTTP server on an ephemeral port (`@hono/node-server`, as `loa serve`). */
export async function startRealServer(h: Harness): Promise<RealServer> {
  let server = await listen(h, 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      h.runtime.services.receiverHub.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
    async restart() {
      server = await listen(h, port);
    },
  };
}
