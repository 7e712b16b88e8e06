import type { Announcement } from '../../../domain/announcement.js';
import type { FormProblem } from '../forms.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, approvalTone, processingTone } from '../ui.js';
import { DecisionForms, Player, TypedText, when } from './announcement-parts.js';

/**
 * One announcement in the office's approval queue: who sent it and when, then each version as the office
 * must judge it — its language, the typed text and voice of a text, the player with its duration — and
 * the two answers.
 */
export function ApprovalItem(props: {
  p: PageContext;
  a: Announcement;
  hamletName: string;
  timeZone: string;
  languageLabel: (code: string) => string;
  reject?: { reason: string; problem: FormProblem } | undefined;
}) {
  const { p, a } = props;
  const m = p.m;
  return (
    <li id={`a-${a.id}`}>
      <a href={paths.announcement(a.id)}>
        <strong>{a.title}</strong>
      </a>
      <p class="meta" data-sent>
        {props.hamletName} · {m.author}: {a.authorName} · {when(a.createdAt, props.timeZone, p)}
      </p>
      <p class="meta">
        <Badge tone={processingTone[a.status]}>{m.status[a.status]}</Badge>{' '}
        <Badge tone={approvalTone[a.approval]}>{m.approval[a.approval]}</Badge>
      </p>
      {a.variants.map((v) => {
        const label = props.languageLabel(v.language);
        return (
          <div class="version" data-language={v.language}>
            <h3>
              {m.variantFor(label)}{' '}
              {v.approval === a.approval ? null : (
                <Badge tone={approvalTone[v.approval]}>{m.approval[v.approval]}</Badge>
              )}
            </h3>
            <TypedText p={p} v={v} languageLabel={label} />
            {v.audio ? (
              <Player p={p} audio={v.audio} label={`${a.title} (${label})`} />
            ) : (
              <Badge tone={processingTone[v.status]}>{m.status[v.status]}</Badge>
            )}
          </div>
        );
      })}
      <DecisionForms
        p={p}
        a={a}
        approveAction={paths.approve(a.id)}
        rejectAction={paths.reject(a.id)}
        reject={props.reject}
      />
    </li>
  );
}
