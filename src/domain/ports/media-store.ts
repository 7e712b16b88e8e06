/** A temporary file receiving an upload as it streams in. */
export interface UploadTarget {
  readonly key: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and closes the file; returns its size. */
  finish(): Promise<number>;
}

export interface StoredAsset {
  readonly body: ReadableStream<Uint8Array>;
  readonly size: number;
}

/**
 * Where audio lives. Uploads stream into temporary files; kept uploads become sources (originals kept for
 * retries); encoded audio is stored under its SHA-256. Keys are made by the store, never by users.
 */
export interface MediaStore {
  beginUpload(): Promise<UploadTarget>;
  /** Keeps an accepted upload as a source (the original, kept for retries); returns its new key. */
  keepUpload(uploadKey: string): Promise<string>;
  /** Removes a temporary upload or a source; missing files are fine. */
  discard(key: string): Promise<void>;
  /** Opens an encoded file, whole or a byte range (inclusive end), or null when it is not there. */
  openAsset(sha256: string, ext: string, range?: { start: number; end: number }): Promise<StoredAsset | null>;
  sizeOfAsset(sha256: string, ext: string): Promise<number | null>;
}

/**
 * A file received with a request, on its way in: a temporary file until a use case keeps it as an
 * original and hands it over to what it stored (`release`). Disposing it (`await using`) removes
 * whatever is left of it unless it was released, so a refused or failed request leaves no file behind,
 * from one place.
 */
export interface Upload extends AsyncDisposable {
  /** Where the file is now: a temporary upload, or a kept original after `keep`. */
  readonly key: string;
  readonly bytes: number;
  /** The sender's file name, kept as a label only. */
  readonly filename: string;
  readonly contentType: string;
  /** Moves it to the kept originals (for retries). */
  keep(): Promise<void>;
  /** What was stored now owns the file: disposing no longer removes it. */
  release(): void;
}
