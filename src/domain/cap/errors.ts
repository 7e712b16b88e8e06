import { LoaError } from '../errors.js';
import type { CapProblem } from './alert.js';
import type { CapAlertState } from './intake.js';

const STATUS: Readonly<Record<CapProblem['code'], 400 | 413 | 422>> = {
  too_large: 413,
  dtd_refused: 400,
  malformed_xml: 400,
  wrong_namespace: 422,
  invalid_cap: 422,
  signature_unverifiable: 422,
  signature_invalid: 422,
  signature_untrusted: 422,
  signature_weak: 422,
  signature_partial: 422,
  signature_required: 422,
};

/** A refused CAP document as the API's problem (`application/problem+json`), nothing of it kept. */
export const capProblemError = (problem: CapProblem): LoaError =>
  new LoaError(STATUS[problem.code], `cap_${problem.code}`, problem.message, problem.messageVi);

/** A well-formed alert Loa will not air (expired, nothing to read). */
export const capRefusal = (code: string, detail: string, detailVi: string): LoaError =>
  new LoaError(422, `cap_${code}`, detail, detailVi);

/** An Update or Cancel naming another sender's alerts: refused whole, so that nothing of it takes effect. */
export const capForeignReference = (msgType: string, sender: string, foreign: readonly string[]): LoaError =>
  capRefusal(
    'foreign_reference',
    `A ${msgType} from ${sender} may only name that sender's own alerts; it names ${foreign.join(' ')}. Nothing was taken off or recorded.`,
    `Nguồn ${sender} chỉ được hủy hoặc cập nhật cảnh báo của chính mình; bản tin này nhắc tới cảnh báo của nguồn khác (${foreign.join(' ')}). Không cảnh báo nào bị dừng.`,
  );

/** An item no longer waiting in the review queue: aired, dismissed or taken off meanwhile. */
export const capNotInReview = (state: CapAlertState): LoaError =>
  new LoaError(
    409,
    'not_in_review',
    `This alert is ${state}, not waiting for review.`,
    state === 'aired'
      ? 'Cảnh báo này đã được phát; muốn dừng, hãy kết thúc bản tin hoặc sự kiện thiên tai của nó.'
      : 'Cảnh báo này không còn chờ xử lý.',
  );
