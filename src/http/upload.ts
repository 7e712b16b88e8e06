import type { Context } from 'hono';
import { LoaError } from '../domain/errors.js';
import type { MediaStore, UploadTarget } from '../domain/ports.js';
import { multipartBoundary, MultipartError, readMultipart } from './multipart.js';

export interface ReceivedUpload {
  readonly fields: Readonly<Record<string, string>>;
  readonly file: {
    readonly key: string;
    readonly bytes: number;
    readonly filename: string;
    readonly contentType: string;
  } | null;
}

const tooLarge = (limitBytes: number) =>
  new LoaError(
    413,
    'upload_too_large',
    `The file is larger than the limit of ${Math.round(limitBytes / 1_048_576)} MB. Shorten or compress the recording.`,
    `Tệp lớn hơn giới hạn ${Math.round(limitBytes / 1_048_576)} MB. Hãy cắt ngắn hoặc nén bản ghi âm rồi gửi lại.`,
  );

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
 * Streams a `multipart/form-data` request: text fields in memory (small), the one file part straight into
 * a temporary file of the media store, refused the moment it passes `limitBytes`. On any failure the
 * temporary file is removed before the error leaves.
 */
export async function receiveUpload(
  c: Context,
  media: MediaStore,
  limitBytes: number,
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

  const fields: Record<string, string> = {};
  let target: UploadTarget | undefined;
  let file: ReceivedUpload['file'] = null;
  let info: { filename: string; contentType: string } | undefined;
  try {
    await readMultipart(
      body,
      boundary,
      {
        onField: (name, value) => {
          fields[name] = value;
        },
        onFile: async (part) => {
          if (part.field !== 'file' || target) {
            throw new LoaError(
              400,
              'unexpected_file',
              'Send exactly one file, in the field "file".',
              'Chỉ gửi một tệp, trong trường "file".',
            );
          }
          info = { filename: checkFilename(part.filename), contentType: part.contentType };
          target = await media.beginUpload();
          let bytes = 0;
          const sink = target;
          return {
            write: async (chunk) => {
              bytes += chunk.length;
              if (bytes > limitBytes) throw tooLarge(limitBytes);
              await sink.write(chunk);
            },
          };
        },
      },
      { maxFieldBytes: 64 * 1024, maxFields: 20, maxHeaderBytes: 16 * 1024 },
    );
    if (target && info) file = { key: target.key, bytes: await target.finish(), ...info };
    return { fields, file };
  } catch (error) {
    if (target) {
      await target.finish().catch(() => undefined);
      await media.discard(target.key);
    }
    if (error instanceof MultipartError) {
      throw new LoaError(
        400,
        'bad_multipart',
        `The upload is malformed: ${error.message}`,
        'Dữ liệu tải lên bị lỗi hoặc bị ngắt giữa chừng. Hãy gửi lại.',
      );
    }
    throw error;
  }
}
