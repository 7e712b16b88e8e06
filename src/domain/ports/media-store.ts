/**
 * A write that found no room: the disk under the media store (or a user's quota) is full. Nothing
 * is wrong with the audio, so this is never a rejection of the input: the same work succeeds once
 * space is freed. The media adapters throw it; the edge answers an upload with 507, and the audio
 * lifecycle keeps the job waiting instead of failing it.
 */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  /** The work can be tried again as it is, once space is freed. */
  readonly retryable = true;
  /** For the cadre whose file could not be stored: not their fault, and who can fix it. */
  readonly messageVi =
    'Ổ đĩa lưu âm thanh của máy chủ đã đầy. Tệp của bạn không bị lỗi nhưng chưa lưu được: hãy báo cán bộ kỹ thuật giải phóng dung lượng, rồi gửi lại.';

  /**
   * @param doing what was being written, for the logs: "writing an upload", "ffmpeg writing …"
   */
  constructor(
    readonly doing: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`No space left on the media disk while ${doing}`, options);
  }
}

/**
 * A kept original that is not in the store any more (removed behind the service's back): processing it
 * again can never work, so the version fails at once with a message saying to upload it again.
 */
export class MissingSourceError extends Error {
  override readonly name = 'MissingSourceError';
  readonly messageVi =
    'Không tìm thấy bản ghi gốc trong kho lưu trữ nên không thể xử lý lại. Hãy tải tệp ghi âm lên lại.';
}

/** Shown on a version whose audio is gone from the media store; a retry makes it again from the original. */
export const AUDIO_MISSING_VI =
  'Mất âm thanh: tệp đã xử lý không còn trong kho lưu trữ. Bấm "Xử lý lại" để tạo lại từ bản ghi gốc.';

/** A temporary file receiving an upload as it streams in. */
export interface UploadTarget {
  readonly key: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and closes the file; returns its size. */
  finish(): Promise<number>;
  /**
   * Gives up an upload that will not be finished (an object store's multipart upload is cancelled, so
   * no parts are left); the key is discarded after it. Without it, the target is finished and discarded.
   */
  abort?(): Promise<void>;
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
  /**
   * Bytes the store's disk still has for it (what an unprivileged process may write); null when it
   * cannot be told (an object store has no disk to fill).
   */
  freeBytes(): Promise<number | null>;
  /**
   * Keys of the kept originals (`keepUpload`) stored more than `olderThanMs` ago, in batches, for the
   * sweep of originals that no announcement took (a process killed between keeping an upload and
   * committing its row leaves one).
   */
  keptOriginals(olderThanMs: number): AsyncIterable<readonly string[]>;
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
