import type { Context } from 'hono';
import { LoaError } from '../domain/errors.js';
import {
  StorageFullError,
  type MediaStore,
  type Upload,
  type UploadTarget,
} from '../domain/ports/media-store.js';
import { multipartBoundary, MultipartError, readMultipart } from './multipart.js';

/** A multipart request as received: its text fields, and its one file while it is still ours. */
export interface ReceivedUpload extends AsyncDisposable {
  /** Each field's last value. */
  readonly fields: Readonly<Record<string, string>>;
  /** Every value of each field, in order: a form's checkboxes repeat their name. */
  readonly values: Readonly<Record<string, readonly string[]>>;
  readonly file: Upload | null;
}

/**
 * What one form field may hold: a text pasted five times over its 5,000-character limit, in letters of
 * three bytes, still reaches its own "too long" message with the count; past it, the upload is refused.
 */
const MAX_FIELD_BYTES = 256 * 1024;
/** All fields together: a form of 80 checkboxes cannot make the server hold 80 such texts. */
const MAX_TOTAL_FIELD_BYTES = 512 * 1024;

const tooLarge = (limitBytes: number) =>
  new LoaError(
    413,
    'upload_too_large',
    `The file is larger than the limit of ${Math.round(limitBytes / 1_048_576)} MB. Shorten or compress the recording.`,
    `Tệp lớn hơn giới hạn ${Math.round(limitBytes / 1_048_576)} MB. Hãy cắt ngắn hoặc nén bản ghi âm rồi gửi lại.`,
  );

/**
 * 507 for a write the media disk had no room for: the file is fine, the server is not, and the words
 * say who can fix it. Anything else passes through.
 */
function storageFullAsProblem(error: unknown): unknown {
  if (!(error instanceof StorageFullError)) return error;
  return new LoaError(
    507,
    'storage_full',
    'The media disk of the server is full, so the file was not stored. The file is fine: tell the technician to free space, then send it again.',
    error.messageVi,
  );
}

/** A file name kept as a label only: refused when it tries to be a path or is absurdly long. */
function checkFilename(name: string): string {
  const clean = name.normalize('NFC');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(clean) || clean === '..' || clean === '.') {
    throw new LoaError(
      400,
      'bad_filename',
      'The file name contains a path or control characters; rename the file.',
      'Tên tệp chứa ký tự không hợp lệ (đường dẫn hoặc ký tự điều khiển). Hãy đổi tên tệp rồi gửi lại.',
    );
  }
  if (clean.length > 255) {
    throw new LoaError(
      400,
      'bad_filename',
      'The file name is longer than 255 characters; rename the file.',
      'Tên tệp dài quá 255 ký tự. Hãy đổi tên ngắn hơn rồi gửi lại.',
    );
  }
  return clean;
}

/**
 * The file of a request as one resource: wherever it has got to (temporary upload, kept original), its
 * disposal removes it, unless a use case released it to what it stored.
 */
function uploadOf(media: MediaStore, target: UploadTarget, info: { filename: string; contentType: string }) {
  let key = target.key;
  let bytes = 0;
  let released = false;
  const upload: Upload & { finish(): Promise<void> } = {
    get key() {
      return key;
    },
    get bytes() {
      return bytes;
    },
    ...info,
    async finish() {
      bytes = await target.finish();
    },
    async keep() {
      key = await media.keepUpload(key).catch((error: unknown) => {
        throw storageFullAsProblem(error);
      });
    },
    release() {
      released = true;
    },
    async [Symbol.asyncDispose]() {
      if (released) return;
      await (target.abort ? target.abort() : target.finish()).catch(() => undefined);
      await media.discard(key);
    },
  };
  return upload;
}

/**
 * Streams a `multipart/form-data` request: text fields in memory (small), the one file part straight into
 * a temporary file of the media store, refused the moment it passes `limitBytes`, or with 507 when the
 * disk fills. The caller disposes the result (`await using`); on a failure here the file is disposed of
 * before the error leaves.
 */
export async function receiveUpload(
  c: Context,
  media: MediaStore,
  limitBytes: number,
  /** More text fields than the API's 20, for a page form with a checkbox per hamlet. */
  options: { readonly maxFields?: number } = {},
): Promise<ReceivedUpload> {
  const boundary = multipartBoundary(c.req.header('content-type'));
  if (!boundary) {
    throw new LoaError(
      415,
      'unsupported_media_type',
      'Send multipart/form-data with a "file" field, or JSON with "text".',
      'Hãy gửi tệp âm thanh (multipart/form-data) hoặc văn bản (JSON).',
    );
  }
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > limitBytes + 1_048_576) throw tooLarge(limitBytes);
  const body = c.req.raw.body;
  if (!body) throw new LoaError(400, 'empty_body', 'The request has no body.', 'Yêu cầu không có nội dung.');

  // Without a prototype: a field named `toString` or `__proto__` is a field like any other.
  const fields: Record<string, string> = Object.create(null);
  const values: Record<string, string[]> = Object.create(null);
  let file = null as ReturnType<typeof uploadOf> | null;
  const received: ReceivedUpload = {
    fields,
    values,
    get file() {
      return file;
    },
    async [Symbol.asyncDispose]() {
      await file?.[Symbol.asyncDispose]();
    },
  };
  try {
    await readMultipart(
      body,
      boundary,
      {
        onField: (name, value) => {
          fields[name] = value;
          (values[name] ??= []).push(value);
        },
        onFile: async (part) => {
          if (part.field !== 'file' || file) {
            throw new LoaError(
              400,
              'unexpected_file',
              'Send exactly one file, in the field "file".',
              'Chỉ gửi một tệp, trong trường "file".',
            );
          }
          const info = { filename: checkFilename(part.filename), contentType: part.contentType };
          const target = await media.beginUpload();
          file = uploadOf(media, target, info);
          let bytes = 0;
          return {
            write: async (chunk) => {
              bytes += chunk.length;
              if (bytes > limitBytes) throw tooLarge(limitBytes);
              await target.write(chunk);
            },
          };
        },
      },
      {
        maxFieldBytes: MAX_FIELD_BYTES,
        maxTotalFieldBytes: MAX_TOTAL_FIELD_BYTES,
        maxFields: options.maxFields ?? 20,
        maxHeaderBytes: 16 * 1024,
      },
    );
    await file?.finish();
    return received;
  } catch (error) {
    await received[Symbol.asyncDispose]();
    if (error instanceof MultipartError) {
      throw new LoaError(
        400,
        'bad_multipart',
        `The upload is malformed: ${error.message}`,
        'Dữ liệu tải lên bị lỗi hoặc bị ngắt giữa chừng. Hãy gửi lại.',
      );
    }
    throw storageFullAsProblem(error);
  }
}

/** The received file as a use case's source: present and not empty. */
export function uploadedFile(upload: ReceivedUpload): Upload {
  if (!upload.file) {
    throw new LoaError(
      400,
      'missing_file',
      'Attach the recording in the field "file".',
      'Hãy đính kèm tệp ghi âm (trường "file").',
    );
  }
  if (upload.file.bytes === 0) {
    throw new LoaError(
      422,
      'empty',
      'The file is empty (0 bytes). Record again and send the new file.',
      'Tệp rỗng (0 byte). Hãy ghi âm lại rồi gửi tệp mới.',
    );
  }
  return upload.file;
}
