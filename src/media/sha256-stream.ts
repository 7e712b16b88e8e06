/** A SHA-256 fed a chunk at a time, for files read as streams. */
export interface Sha256Stream {
  write(chunk: Uint8Array): Promise<void>;
  /** The digest of everything written, as lower-case hex; nothing may be written after. */
  hex(): Promise<string>;
}

/** Lower-case hex of a digest. */
export const toHex = (digest: ArrayBuffer | Uint8Array): string =>
  Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');

/** Workers' `crypto.DigestStream`: a writable stream whose `digest` resolves when it is closed. */
interface DigestStreamLike extends WritableStream<Uint8Array> {
  readonly digest: Promise<ArrayBuffer>;
}

/**
 * SHA-256 over Workers' `crypto.DigestStream`: Web Crypto's `digest` takes only a whole buffer, and a
 * 100 MB upload must not be held whole in an isolate's 128 MB to be hashed.
 */
export function workersSha256(): Sha256Stream {
  const DigestStream = (crypto as unknown as { DigestStream?: new (algorithm: string) => DigestStreamLike })
    .DigestStream;
  if (!DigestStream) throw new Error('crypto.DigestStream is a Workers API');
  const stream = new DigestStream('SHA-256');
  const writer = stream.getWriter();
  return {
    write: (chunk) => writer.write(chunk),
    async hex() {
      await writer.close();
      return toHex(await stream.digest);
    },
  };
}
