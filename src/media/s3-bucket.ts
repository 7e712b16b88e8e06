import { AwsClient } from 'aws4fetch';
import type { R2BucketLike, R2MultipartUploadLike, R2ObjectBodyLike, R2ObjectLike } from './r2-store.js';

/** Where the objects live and who may touch them: from `MEDIA_URL`, `S3_ENDPOINT`, `S3_REGION` and the keys. */
export interface S3Location {
  /** `https://s3.eu-central-1.amazonaws.com`, `http://minio:9000`, `https://<account>.r2.cloudflarestorage.com` */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Folder inside the bucket, without slashes at either end; '' for the bucket's root. */
  readonly prefix: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An S3 bucket in the shape of R2's binding, plus what only S3 does: presigned links and a start check. */
export interface S3Bucket extends R2BucketLike {
  /** A link anyone may GET for `seconds` (SigV4 in the query string): receivers fetch audio from the store. */
  presign(key: string, seconds: number): Promise<string>;
  /** Lists one key: throws {@link S3CheckError} saying which setting is wrong when the bucket cannot be used. */
  check(): Promise<void>;
}

/** Why the bucket could not be used at start, naming the variable the operator has to fix. */
export class S3CheckError extends Error {
  override readonly name = 'S3CheckError';
  constructor(
    readonly variable: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}

/** An S3 answer that was not a success, with its error code (`NoSuchKey`, `AccessDenied` …). */
export class S3ResponseError extends Error {
  override readonly name = 'S3ResponseError';
  constructor(
    readonly status: number,
    readonly code: string,
    doing: string,
  ) {
    super(`S3 answered ${status} ${code} while ${doing}`);
  }
}

// The S3 API answers in XML with a handful of flat elements; these few fields do not justify a parser.
const xmlText = (xml: string, tag: string): string | undefined =>
  xml.match(new RegExp(`<${tag}>([^<]*)</${tag}>`))?.[1];
const xmlBlocks = (xml: string, tag: string): string[] =>
  Array.from(xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g')), (m) => m[1]!);
const unescapeXml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

async function failure(response: Response, doing: string): Promise<S3ResponseError> {
  const body = await response.text().catch(() => '');
  return new S3ResponseError(response.status, xmlText(body, 'Code') ?? response.statusText, doing);
}

/** Each segment of a key percent-encoded as SigV4 wants it; the slashes stay. */
const encodeKey = (key: string) =>
  key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`))
    .join('/');

/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2's S3 API) through `aws4fetch`, which signs with
 * Web Crypto and sends with `fetch`, so it runs on Node and on Workers alike. Addresses are path-style
 * (`endpoint/bucket/key`), which every one of them accepts. Keys given here are relative to the prefix.
 */
export function createS3Bucket(location: S3Location, fetcher: typeof fetch = fetch): S3Bucket {
  const client = new AwsClient({
    accessKeyId: location.accessKeyId,
    secretAccessKey: location.secretAccessKey,
    service: 's3',
    region: location.region,
    retries: 2,
  });
  const base = `${location.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(location.bucket)}`;
  const prefix = location.prefix ? `${location.prefix}/` : '';
  const url = (key: string, query = '') => `${base}/${encodeKey(prefix + key)}${query}`;
  const send = async (target: string, init: RequestInit = {}) => {
    const signed = await client.sign(target, init);
    return fetcher(signed);
  };
  const objectOf = (key: string, response: Response): R2ObjectLike => ({
    key,
    size: Number(response.headers.get('content-length') ?? 0),
    uploaded: new Date(response.headers.get('last-modified') ?? 0),
  });

  return {
    async head(key) {
      const response = await send(url(key), { method: 'HEAD' });
      if (response.status === 404) return null;
      if (!response.ok) throw new S3ResponseError(response.status, response.statusText, `looking up ${key}`);
      return objectOf(key, response);
    },

    async get(key, options) {
      const range = options?.range;
      const response = await send(url(key), {
        ...(range && {
          headers: { range: `bytes=${range.offset}-${range.offset + range.length - 1}` },
        }),
      });
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) throw await failure(response, `reading ${key}`);
      const total = response.headers.get('content-range')?.split('/')[1];
      const object: R2ObjectBodyLike = {
        ...objectOf(key, response),
        ...(total && total !== '*' && { size: Number(total) }),
        body: response.body!,
        arrayBuffer: () => response.arrayBuffer(),
      };
      return object;
    },

    async put(key, value, options) {
      const contentType = options?.httpMetadata?.contentType;
      const response = await send(url(key), {
        method: 'PUT',
        body: value,
        ...(contentType && { headers: { 'content-type': contentType } }),
      });
      if (!response.ok) throw await failure(response, `storing ${key}`);
      await response.body?.cancel();
    },

    async delete(keys) {
      for (const key of typeof keys === 'string' ? [keys] : keys) {
        const response = await send(url(key), { method: 'DELETE' });
        await response.body?.cancel();
        if (!response.ok && response.status !== 404)
          throw new S3ResponseError(response.status, '', `removing ${key}`);
      }
    },

    async list({ prefix: under, cursor, limit = 1000 }) {
      const query = new URLSearchParams({
        'list-type': '2',
        prefix: prefix + under,
        'max-keys': String(limit),
      });
      if (cursor) query.set('continuation-token', cursor);
      const response = await send(`${base}?${query}`);
      if (!response.ok) throw await failure(response, 'listing objects');
      const xml = await response.text();
      const objects = xmlBlocks(xml, 'Contents').map((block) => ({
        key: unescapeXml(xmlText(block, 'Key') ?? '').slice(prefix.length),
        size: Number(xmlText(block, 'Size') ?? 0),
        uploaded: new Date(xmlText(block, 'LastModified') ?? 0),
      }));
      const next = xmlText(xml, 'NextContinuationToken');
      return {
        objects,
        truncated: xmlText(xml, 'IsTruncated') === 'true',
        ...(next && { cursor: unescapeXml(next) }),
      };
    },

    async createMultipartUpload(key, options): Promise<R2MultipartUploadLike> {
      const contentType = options?.httpMetadata?.contentType;
      const response = await send(url(key, '?uploads'), {
        method: 'POST',
        ...(contentType && { headers: { 'content-type': contentType } }),
      });
      if (!response.ok) throw await failure(response, `starting an upload of ${key}`);
      const uploadId = xmlText(await response.text(), 'UploadId');
      if (!uploadId) throw new S3ResponseError(response.status, 'NoUploadId', `starting an upload of ${key}`);
      const id = encodeURIComponent(unescapeXml(uploadId));
      return {
        async uploadPart(partNumber, value) {
          const part = await send(url(key, `?partNumber=${partNumber}&uploadId=${id}`), {
            method: 'PUT',
            body: value,
          });
          if (!part.ok) throw await failure(part, `storing part ${partNumber} of ${key}`);
          await part.body?.cancel();
          return { partNumber, etag: part.headers.get('etag') ?? '' };
        },
        async complete(parts) {
          const body = `<CompleteMultipartUpload>${parts
            .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${p.etag}</ETag></Part>`)
            .join('')}</CompleteMultipartUpload>`;
          const done = await send(url(key, `?uploadId=${id}`), { method: 'POST', body });
          // S3 may answer 200 with an error in the body when completing fails late.
          const text = await done.text();
          if (!done.ok || text.includes('<Error>'))
            throw new S3ResponseError(done.status, xmlText(text, 'Code') ?? 'Error', `finishing ${key}`);
        },
        async abort() {
          const aborted = await send(url(key, `?uploadId=${id}`), { method: 'DELETE' });
          await aborted.body?.cancel();
        },
      };
    },

    async presign(key, seconds) {
      const signed = await client.sign(`${url(key)}?X-Amz-Expires=${seconds}`, { aws: { signQuery: true } });
      return signed.url;
    },

    async check() {
      let response: Response;
      try {
        // One level only: the answer stays small however many objects the bucket holds.
        const query = new URLSearchParams({ 'list-type': '2', prefix, delimiter: '/', 'max-keys': '1' });
        response = await send(`${base}?${query}`);
      } catch (error) {
        throw new S3CheckError(
          'S3_ENDPOINT',
          `the object store at ${location.endpoint} cannot be reached (${(error as Error).message}); check the address and that the store is running`,
          { cause: error },
        );
      }
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const code = (await failure(response, 'checking the bucket')).code;
      if (response.status === 404 || code === 'NoSuchBucket') {
        throw new S3CheckError(
          'MEDIA_URL',
          `there is no bucket "${location.bucket}" at ${location.endpoint} (${code}); create it or correct the name`,
        );
      }
      if (response.status === 403 || response.status === 401) {
        throw new S3CheckError(
          'AWS_ACCESS_KEY_ID',
          `the object store refused the credentials (${code}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and that they may list and write bucket "${location.bucket}"`,
        );
      }
      throw new S3CheckError(
        'MEDIA_URL',
        `the object store answered ${response.status} ${code} for bucket "${location.bucket}"`,
      );
    },
  };
}
