import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types; its constructor options and run/close are all the tests use.
// @ts-expect-error no declaration file
import S3rver from 's3rver';

/** s3rver's fixed credentials: it accepts these and refuses any other. */
export const s3Credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly bucket: string;
  /** The variables that point Loa at this bucket, under `prefix`. */
  env(prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

/**
 * A local S3-compatible server (s3rver, objects in a temporary folder) on an ephemeral port, with one
 * empty bucket: the object store of the scale-out profile, started by the test itself.
 */
export async function startLocalS3(bucket = 'loa-media'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'loa-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  }) as {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
    httpServer?: { closeAllConnections?(): void };
  };
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    endpoint,
    bucket,
    env: (prefix = 'media') => ({
      MEDIA_URL: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      ...s3Credentials,
    }),
    async close() {
      if (closed) return;
      closed = true;
      // Keep-alive sockets of fetch would hold close() open.
      server.httpServer?.closeAllConnections?.();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
