import type { PageContext } from './page.js';
import { Csrf } from './form-fields.js';

/**
 * A destructive post behind a folded question (revoke a token, disable a webhook, delete a commune): the
 * first button only opens the question, the second one posts. Screen readers hear which row each is for.
 */
export function ConfirmedPost(props: {
  readonly p: PageContext;
  readonly action: string;
  /** What the row is (a token's name, a URL), read out with both buttons. */
  readonly subject: string;
  readonly open: string;
  readonly question: string;
  readonly confirm: string;
}) {
  return (
    <details class="cancel">
      <summary aria-label={`${props.open}: ${props.subject}`}>{props.open}</summary>
      <form method="post" action={props.action}>
        <Csrf p={props.p} />
        <p>{props.question}</p>
        <button type="submit" class="danger" aria-label={`${props.confirm}: ${props.subject}`}>
          {props.confirm}
        </button>
      </form>
    </details>
  );
}
